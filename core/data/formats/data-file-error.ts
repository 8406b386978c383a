import { AttuneError } from '../../base/errors.js';

/** A data file that cannot be used at all (not a bad row: the whole file), located. */
export class DataFileError extends AttuneError {
  override name = 'DataFileError';
}
