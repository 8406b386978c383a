/**
 * Walks one source in a fresh random order each epoch, so no example repeats before the
 * source is exhausted. The order of epoch e is derived from (seed, source, e) alone, which
 * keeps the resumable state down to two integers however large the source.
 */
import { AttuneError } from '../../base/errors.js';
import { Xoshiro128 } from '../../base/rng.js';
import { fillPermutation } from './shuffle.js';

export interface WalkerState {
  readonly epoch: number;
  /** Examples already taken in the current epoch. */
  readonly position: number;
}

export class EpochWalker {
  private readonly order: Uint32Array;
  private epoch = 0;
  private position = 0;

  /** `key` identifies the stream, e.g. (seed words, source index); the epoch is appended. */
  constructor(
    readonly size: number,
    private readonly key: readonly number[],
  ) {
    this.order = new Uint32Array(size);
    this.reshuffle();
  }

  /** The next example index and the epoch it belongs to. */
  next(): { index: number; epoch: number } {
    if (this.position === this.size) {
      this.epoch += 1;
      this.position = 0;
      this.reshuffle();
    }
    const index = this.order[this.position] as number;
    this.position += 1;
    return { index, epoch: this.epoch };
  }

  state(): WalkerState {
    return { epoch: this.epoch, position: this.position };
  }

  restore(state: WalkerState, what: string): void {
    const { epoch, position } = state;
    if (!Number.isSafeInteger(epoch) || epoch < 0 || !Number.isSafeInteger(position) || position < 0 || position > this.size) {
      throw new AttuneError(`${what}: walker state {epoch: ${epoch}, position: ${position}} is out of range for a source of ${this.size} examples.`);
    }
    const reshuffle = epoch !== this.epoch;
    this.epoch = epoch;
    this.position = position;
    if (reshuffle) this.reshuffle();
  }

  private reshuffle(): void {
    fillPermutation(this.order, Xoshiro128.fromWords([...this.key, this.epoch]));
  }
}
