import { AttuneError } from '../../base/errors.js';

/** A safetensors file that cannot be read or written as asked; the message names the file (and tensor). */
export class SafetensorsError extends AttuneError {
  override name = 'SafetensorsError';
}
