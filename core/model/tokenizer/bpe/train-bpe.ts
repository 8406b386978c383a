/**
 * A small deterministic byte-level BPE trainer: count pre-tokenized words, then repeatedly merge
 * the most frequent adjacent pair (ties broken by the pair's strings, so runs are reproducible).
 * Pair counts are updated incrementally for just the words a merge touches.
 */
import { bytesToUnicode, toByteLevel } from './byte-level.js';
import { pretokenize } from './pretokenize.js';

export interface BpeTrainOptions {
  /** Tokens in the BPE model (the 256 bytes plus merges); added special tokens come on top. */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged. */
  minFrequency?: number;
}

export interface TrainedBpe {
  /** Token strings by id: 256 byte tokens (in byte order), then one per merge. */
  tokens: string[];
  /** Merges in rank order, as [left, right] token strings. */
  merges: [string, string][];
}

export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of pretokenize(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  return counts;
}

export function trainBpe(wordCounts: ReadonlyMap<string, number>, options: BpeTrainOptions): TrainedBpe {
  const minFrequency = options.minFrequency ?? 2;
  const tokens = bytesToUnicode();
  const idOf = new Map(tokens.map((t, i) => [t, i]));
  // Sorted so that the word order, and with it every later step, does not depend on Map insertion.
  const entries = [...wordCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const words = entries.map(([w]) => toByteLevel(w).map((c) => idOf.get(c)!));
  const freqs = entries.map(([, n]) => n);

  const SHIFT = 1 << 20; // pair key = left * SHIFT + right; ids stay far below 2^20
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1): void => {
    const symbols = words[w]!;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = symbols[i]! * SHIFT + symbols[i + 1]!;
      const count = (pairCounts.get(key) ?? 0) + sign * freqs[w]!;
      // Dropping dead pairs keeps the per-merge scan proportional to live pairs.
      if (count > 0) pairCounts.set(key, count);
      else pairCounts.delete(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  const merges: [string, string][] = [];
  while (tokens.length < options.vocabSize) {
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && pairBefore(key, bestKey, tokens, SHIFT))) {
        bestKey = key;
        bestCount = count;
      }
    }
    if (bestKey < 0 || bestCount < minFrequency) break;
    const left = Math.floor(bestKey / SHIFT);
    const right = bestKey % SHIFT;
    // Different pairs can spell the same string ("ab"+"c", "a"+"bc"): one token, two merges.
    const text = tokens[left]! + tokens[right]!;
    let merged = idOf.get(text);
    if (merged === undefined) {
      merged = tokens.length;
      tokens.push(text);
      idOf.set(text, merged);
    }
    merges.push([tokens[left]!, tokens[right]!]);
    for (const w of pairWords.get(bestKey) ?? []) {
      addPairs(w, -1);
      words[w] = mergeSymbols(words[w]!, left, right, merged);
      addPairs(w, 1);
    }
    pairCounts.delete(bestKey);
    pairWords.delete(bestKey);
  }
  return { tokens, merges };
}

function mergeSymbols(symbols: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}

function pairBefore(a: number, b: number, tokens: string[], shift: number): boolean {
  if (b < 0) return true;
  const aLeft = tokens[Math.floor(a / shift)]!;
  const bLeft = tokens[Math.floor(b / shift)]!;
  if (aLeft !== bLeft) return aLeft < bLeft;
  return tokens[a % shift]! < tokens[b % shift]!;
}
