import { AttuneError } from '../../base/errors.js';

/** A model folder Attune cannot use as given; the message names the file and key or tensor. */
export class ModelFolderError extends AttuneError {
  override name = 'ModelFolderError';
}
