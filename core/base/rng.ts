/**
 * xoshiro128** (Blackman & Vigna, 2018): a small, fast generator with 128 bits of state and
 * period 2^128 − 1, built from 32-bit operations only, so it runs at full speed in JS without
 * BigInt. Its whole state is four uint32 words, which makes it trivially serializable: a run
 * that saves `state()` and later `restore()`s it continues the exact same stream.
 *
 * Seeds are expanded into the state with the murmur3 finalizer over a Weyl sequence (the
 * SplitMix idea), so nearby seeds give unrelated streams and the all-zero state never arises.
 */
import { AttuneError } from './errors.js';

export const RNG_ALGORITHM = 'xoshiro128**';

export interface RngState {
  readonly algorithm: typeof RNG_ALGORITHM;
  readonly s: readonly [number, number, number, number];
}

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

/** murmur3's fmix32: a bijective avalanche on 32-bit words. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new AttuneError(`${what} must be an integer in [0, 2^53), got ${seed}.`, 'Set `seed` in the config to a non-negative integer.');
  }
}

/** Splits a safe integer into its low and high 32-bit words. */
export function seedWords(seed: number): [number, number] {
  checkSeed(seed, 'RNG seed');
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  private constructor(state: readonly number[]) {
    this.set(state);
  }

  /** A generator for a non-negative integer seed. */
  static fromSeed(seed: number): Xoshiro128 {
    return Xoshiro128.fromWords(seedWords(seed));
  }

  /**
   * A generator keyed by a list of uint32 words, e.g. (seed low, seed high, stream, epoch):
   * independent streams for sub-tasks that can be recreated from their key alone.
   */
  static fromWords(words: readonly number[]): Xoshiro128 {
    const state: number[] = [];
    for (let k = 0; k < 4; k++) {
      let h = fmix32(Math.imul(k + 1, GOLDEN));
      for (const word of words) h = fmix32((h ^ fmix32((word >>> 0) + GOLDEN)) >>> 0);
      state.push(h);
    }
    if (!state.some((w) => w !== 0)) state[0] = 1;
    return new Xoshiro128(state);
  }

  static fromState(state: RngState): Xoshiro128 {
    const rng = new Xoshiro128([1, 0, 0, 0]);
    rng.restore(state);
    return rng;
  }

  /** The next uint32 in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 random bits, enough resolution for mixture draws. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, bound), unbiased (rejection of the incomplete top range). */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new AttuneError(`nextInt: bound must be an integer in [1, 2^32], got ${bound}.`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % bound;
  }

  state(): RngState {
    return { algorithm: RNG_ALGORITHM, s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  restore(state: RngState): void {
    if (state.algorithm !== RNG_ALGORITHM) {
      throw new AttuneError(`RNG state is for '${String(state.algorithm)}', expected '${RNG_ALGORITHM}'.`);
    }
    this.set(state.s);
  }

  private set(words: readonly number[]): void {
    const valid = words.length === 4 && words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32);
    if (!valid || words.every((w) => w === 0)) {
      throw new AttuneError(`RNG state must be four uint32 words, not all zero; got [${words.join(', ')}].`, 'The saved sampler state is corrupt: restore from another checkpoint.');
    }
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w | 0) as [number, number, number, number];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
