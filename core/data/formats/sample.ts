/**
 * Seeded sampling for the slices plugins ship: the same seed picks the same rows on every
 * machine, so a slice can be rebuilt and checked byte for byte.
 */
import { createHash } from 'node:crypto';

/** mulberry32: small, fast and good enough to shuffle row indices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle (returns a new array). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` items chosen by seed, returned in their original order (slices keep file order). */
export function seededSample<T>(items: readonly T[], count: number, seed: number): T[] {
  const chosen = new Set(seededShuffle(items.map((_, i) => i), seed).slice(0, count));
  return items.filter((_, i) => chosen.has(i));
}

/**
 * A seeded, order-free ranking key: sorting by it picks "random" items that depend only on
 * the seed and the item's own key, not on which other items are present.
 */
export function seededRank(seed: number | string, key: string): string {
  return createHash('sha256').update(`${seed}:${key}`).digest('hex');
}
