/**
 * Gradient accumulation over micro-batches into preallocated buffers.
 *
 * Normalisation (`scaleBy`):
 * - 'microBatches': the mean of the micro-batch gradients (Σg / n).
 * - 'tokens': the gradient of the whole step's per-token mean loss. With mean-reduced
 *   micro-batch losses (the default) that is Σ(gᵢ·tᵢ) / Σt; with sum-reduced ones Σgᵢ / Σt.
 *   Plain 1/n would overweight short micro-batches when lengths vary.
 * - 'none': the plain sum.
 */
import { AttuneError } from '../../base/errors.js';
import { gradientFor, validateParameters, type GradientMap, type Parameter } from './parameter.js';

export type AccumulationScale = 'microBatches' | 'tokens' | 'none';
export type MicroBatchReduction = 'mean' | 'sum';

export interface AccumulatorOptions {
  readonly scaleBy?: AccumulationScale;
  /** How each micro-batch loss was reduced over its tokens; only matters for scaleBy 'tokens'. */
  readonly microBatchLoss?: MicroBatchReduction;
}

const OWNER = 'GradientAccumulator';

export class GradientAccumulator {
  readonly scaleBy: AccumulationScale;
  readonly microBatchLoss: MicroBatchReduction;
  private readonly params: readonly Parameter[];
  private readonly buffers: Record<string, Float32Array> = {};
  private microBatchCount = 0;
  private tokenCount = 0;
  private finished = false;

  constructor(params: readonly Parameter[], options: AccumulatorOptions = {}) {
    validateParameters(params, OWNER);
    this.params = params;
    this.scaleBy = options.scaleBy ?? 'microBatches';
    this.microBatchLoss = options.microBatchLoss ?? 'mean';
    for (const param of params) this.buffers[param.name] = new Float32Array(param.data.length);
  }

  get microBatches(): number {
    return this.microBatchCount;
  }

  get tokens(): number {
    return this.tokenCount;
  }

  /** Adds one micro-batch's gradients; `tokens` (the scored tokens in it) is required when scaling by tokens. */
  add(grads: GradientMap, tokens?: number): void {
    if (this.finished) {
      throw new AttuneError(`${OWNER}: add() after finish(); call reset() once the optimizer step has used the gradients.`);
    }
    if (tokens !== undefined && (!Number.isInteger(tokens) || tokens < 0)) {
      throw new AttuneError(`${OWNER}: token count must be an integer >= 0, got ${tokens} (micro-batch ${this.microBatchCount + 1}).`);
    }
    if (this.scaleBy === 'tokens' && tokens === undefined) {
      throw new AttuneError(`${OWNER}: scaleBy 'tokens' needs the token count of each micro-batch (micro-batch ${this.microBatchCount + 1} has none).`);
    }
    const sources = this.params.map((param) => gradientFor(grads, param, OWNER));
    const weight = this.scaleBy === 'tokens' && this.microBatchLoss === 'mean' ? (tokens as number) : 1;
    this.params.forEach((param, s) => {
      const source = sources[s] as Float32Array;
      const target = this.buffers[param.name] as Float32Array;
      if (weight === 1) for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + (source[i] as number);
      else for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + weight * (source[i] as number);
    });
    this.microBatchCount += 1;
    this.tokenCount += tokens ?? 0;
  }

  /** Applies the normalisation once and returns the accumulated gradients (the internal buffers, not copies). */
  finish(): GradientMap {
    if (this.finished) throw new AttuneError(`${OWNER}: finish() called twice without reset().`);
    if (this.microBatchCount === 0) throw new AttuneError(`${OWNER}: finish() with no micro-batches added.`);
    let divisor = 1;
    if (this.scaleBy === 'microBatches') divisor = this.microBatchCount;
    if (this.scaleBy === 'tokens') {
      if (this.tokenCount === 0) {
        throw new AttuneError(`${OWNER}: the ${this.microBatchCount} micro-batches of this step hold no scored tokens.`, 'Check that the batches contain assistant tokens to train on.');
      }
      divisor = this.tokenCount;
    }
    if (divisor !== 1) {
      const scale = 1 / divisor;
      for (const buffer of Object.values(this.buffers)) {
        for (let i = 0; i < buffer.length; i++) buffer[i] = (buffer[i] as number) * scale;
      }
    }
    this.finished = true;
    return this.buffers;
  }

  /** Zeroes the buffers for the next step (no allocation). */
  reset(): void {
    for (const buffer of Object.values(this.buffers)) buffer.fill(0);
    this.microBatchCount = 0;
    this.tokenCount = 0;
    this.finished = false;
  }
}
