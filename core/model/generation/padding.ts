/** The token id generation and scoring fill left padding with. */
import type { DecoderConfig } from '../folder/config.js';

/** The model's pad token, else its first stop token, else 0 (padding is masked, so any id works). */
export function padIdOf(config: DecoderConfig, padToken: number | null, stopIds: readonly number[]): number {
  return config.padTokenId ?? padToken ?? stopIds[0] ?? 0;
}
