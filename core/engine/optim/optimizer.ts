/**
 * What every optimizer offers the trainer: one in-place update per call, and its state as a
 * TensorMap for checkpoints.
 */
import { AttuneError } from '../../base/errors.js';
import type { GradientMap } from './parameter.js';
import type { StoredTensorMap, TensorEntry } from './tensor-map.js';

export interface Optimizer {
  readonly kind: string;
  /** Updates applied so far (the step counter used for bias correction). */
  readonly stepCount: number;
  /** Applies one update in place with the scheduled learning rate `lr`. */
  step(grads: GradientMap, lr: number): void;
  /** A copy of the optimizer state (step and per-parameter buffers). */
  exportState(): Record<string, TensorEntry>;
  /** Restores state saved by exportState; validates names and shapes first. */
  loadState(state: StoredTensorMap, what?: string): void;
}

export function checkLearningRate(lr: number, owner: string): void {
  if (!Number.isFinite(lr) || lr < 0) {
    throw new AttuneError(`${owner}: learning rate must be a finite number >= 0, got ${lr}.`, 'Check the schedule and its phase multipliers.');
  }
}

export function checkRange(value: number, low: number, high: number, what: string, highInclusive = false): void {
  const ok = Number.isFinite(value) && value >= low && (highInclusive ? value <= high : value < high);
  if (!ok) throw new AttuneError(`${what} must be in [${low}, ${high}${highInclusive ? ']' : ')'}, got ${value}.`);
}
