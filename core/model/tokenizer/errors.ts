import { AttuneError } from '../../base/errors.js';

/** A tokenizer or chat template that cannot be loaded or used as asked. */
export class TokenizerError extends AttuneError {
  override name = 'TokenizerError';
}
