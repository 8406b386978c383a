/**
 * The held-out rows an evaluation scores: all of them, or — when there are more than `limit` — a
 * seeded sample kept in file order, so a limit does not just take the first source's rows.
 */
import { seedWords, Xoshiro128 } from '../../base/rng.js';
import { permutation } from '../../data/sampling/shuffle.js';

const HELD_OUT_STREAM = 0xe7a1;

export function heldOutSample<T>(rows: readonly T[], limit: number, seed: number): T[] {
  if (rows.length <= limit) return [...rows];
  const order = permutation(rows.length, Xoshiro128.fromWords([...seedWords(seed), HELD_OUT_STREAM]));
  const picked = Array.from(order.subarray(0, limit)).sort((a, b) => a - b);
  return picked.map((i) => rows[i] as T);
}
