/** Seeded choices for the fuzz generators: the same seed, the same inputs. */
import { Xoshiro128 } from '../../../core/base/rng.js';

export class Chooser {
  private readonly rng: Xoshiro128;

  constructor(seed: number) {
    this.rng = Xoshiro128.fromSeed(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return this.rng.nextUint32() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.rng.nextFloat() < p;
  }
}
