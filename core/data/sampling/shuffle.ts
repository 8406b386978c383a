/** Fisher–Yates shuffles driven by the seeded generator, so orders replay from a seed. */
import type { Xoshiro128 } from '../../base/rng.js';

export function shuffleInPlace<T>(items: T[] | Uint32Array, rng: Xoshiro128): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

/** Fills `out` with a uniformly random permutation of 0..out.length-1. */
export function fillPermutation(out: Uint32Array, rng: Xoshiro128): Uint32Array {
  for (let i = 0; i < out.length; i++) out[i] = i;
  shuffleInPlace(out, rng);
  return out;
}

export function permutation(n: number, rng: Xoshiro128): Uint32Array {
  return fillPermutation(new Uint32Array(n), rng);
}
