/**
 * Fitting a conversation into a token budget by dropping whole turns from the front. System
 * messages stay; the window starts at a user turn (templates expect one) or is the target alone;
 * the target itself is never cut.
 */
import type { Message } from '../example.js';
import { TokenizerError } from '../../model/tokenizer/errors.js';

/** What the caller computed for one candidate window; `ids` is its full encoding. */
export interface WindowEncoding {
  ids: readonly number[];
}

export interface Window<E extends WindowEncoding> {
  messages: Message[];
  /** How many non-system messages were dropped from the front. */
  droppedMessages: number;
  /** The window's encoding, computed while choosing it (reuse it). */
  encoding: E;
}

export type FitResult<E extends WindowEncoding> =
  | { status: 'ok'; window: Window<E> }
  /** Even the shortest usable window is longer than the budget (null: no window is usable at all). */
  | { status: 'too-long'; minimumLength: number | null };

/**
 * The longest suffix of turns (after the system messages) whose encoding fits `maxLength`.
 * `encode` returns null for a window the caller cannot use (e.g. one whose target it cannot
 * locate); a shorter window that the template rejects with a TokenizerError is unusable too.
 * Unusable windows are skipped, so they never end the search with an error.
 */
export function fitWindow<E extends WindowEncoding>(
  messages: readonly Message[],
  maxLength: number,
  encode: (window: Message[]) => E | null,
): FitResult<E> {
  let systemCount = 0;
  while (systemCount < messages.length && messages[systemCount]!.role === 'system') systemCount++;
  const system = messages.slice(0, systemCount);
  const last = messages.length - 1;
  const starts: number[] = [systemCount];
  for (let s = systemCount + 1; s <= last; s++) if (messages[s]!.role === 'user' || s === last) starts.push(s);

  const cache = new Map<number, E | null>();
  const encodeFrom = (start: number): E | null => {
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
    const encoding = encodeFrom(start);
    return encoding !== null && encoding.ids.length <= maxLength;
  };
  const fitted = (start: number): FitResult<E> => ({
    status: 'ok',
    window: { messages: [...system, ...messages.slice(start)], droppedMessages: start - systemCount, encoding: encodeFrom(start)! },
  });

  if (fits(starts[0]!)) return fitted(starts[0]!);
  // Encodings shrink as turns are dropped, so binary search for the first start that fits.
  let lo = 1;
  let hi = starts.length - 1;
  // Unusable windows at the short end (typically the target alone) are skipped: the shortest usable one bounds the search.
  while (hi >= lo && encodeFrom(starts[hi]!) === null) hi--;
  if (hi < lo || !fits(starts[hi]!)) {
    const shortest = encodeFrom(starts[hi < lo ? 0 : hi]!);
    return { status: 'too-long', minimumLength: shortest ? shortest.ids.length : null };
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(starts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return fitted(starts[lo]!);
}
