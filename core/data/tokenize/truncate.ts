/**
 * Fitting a conversation into a token budget by dropping whole turns from the front. System
 * messages stay; the window starts at a user turn (templates expect one) or is the target alone;
 * the target itself is never cut.
 */
import type { Message } from '../example.js';
import { TokenizerError } from '../../model/tokenizer/errors.js';

export interface Window {
  messages: Message[];
  /** How many non-system messages were dropped from the front. */
  droppedMessages: number;
  /** The window's encoding, computed while choosing it (reuse it). */
  ids: number[];
}

/**
 * The longest suffix of turns (after the system messages) whose encoding fits `maxLength`,
 * or null when even the last message alone does not fit.
 */
export function fitWindow(messages: readonly Message[], maxLength: number, encode: (window: Message[]) => number[]): Window | null {
  let systemCount = 0;
  while (systemCount < messages.length && messages[systemCount]!.role === 'system') systemCount++;
  const system = messages.slice(0, systemCount);
  const last = messages.length - 1;
  const starts: number[] = [systemCount];
  for (let s = systemCount + 1; s <= last; s++) if (messages[s]!.role === 'user' || s === last) starts.push(s);

  const cache = new Map<number, number[] | null>();
  const encodeFrom = (start: number): number[] | null => {
    if (!cache.has(start)) {
      try {
        cache.set(start, encode([...system, ...messages.slice(start)]));
      } catch (error) {
        // A shorter window some templates reject (e.g. one opening with the assistant) just cannot be used.
        if (start === systemCount || !(error instanceof TokenizerError)) throw error;
        cache.set(start, null);
      }
    }
    return cache.get(start)!;
  };
  const fits = (start: number): boolean => {
    const ids = encodeFrom(start);
    return ids !== null && ids.length <= maxLength;
  };
  const window = (start: number): Window => ({
    messages: [...system, ...messages.slice(start)],
    droppedMessages: start - systemCount,
    ids: encodeFrom(start)!,
  });

  if (fits(starts[0]!)) return window(starts[0]!);
  // Encodings shrink as turns are dropped, so binary search for the first start that fits.
  let lo = 1;
  let hi = starts.length - 1;
  // A window the template rejects (e.g. the target alone) is skipped; one that is merely too long ends the search.
  while (hi >= lo && encodeFrom(starts[hi]!) === null) hi--;
  if (hi < lo || !fits(starts[hi]!)) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(starts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return window(starts[lo]!);
}
