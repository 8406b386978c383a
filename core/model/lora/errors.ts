import { AttuneError } from '../../base/errors.js';

/** A LoRA configuration or adapter folder Attune cannot use; the message names the file, key or tensor. */
export class LoraError extends AttuneError {
  override name = 'LoraError';
}
