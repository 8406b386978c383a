import { AttuneError } from '../../base/errors.js';

/** A conversation that cannot be turned into training tokens as asked. */
export class ChatTokenizeError extends AttuneError {
  override name = 'ChatTokenizeError';
}
