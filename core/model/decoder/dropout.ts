/**
 * LoRA dropout masks for one micro-batch, drawn from a seeded generator: each element is 0 with
 * probability p and 1/(1−p) otherwise (inverted dropout, as torch.nn.Dropout in training mode).
 * Every adapted projection gets its own mask, as PEFT gives each its own Dropout module.
 */
import type { Xoshiro128 } from '../../base/rng.js';
import type { ComputeDType } from './decoder-weights.js';
import type { DropoutInput } from './decoder-trace.js';

export function loraDropoutFeeds(inputs: readonly DropoutInput[], dims: { batch: number; seq: number }, rng: Xoshiro128, dtype: ComputeDType = 'float32'): Record<string, Float32Array | Float64Array> {
  const feeds: Record<string, Float32Array | Float64Array> = {};
  for (const input of inputs) {
    const n = dims.batch * dims.seq * input.inDim;
    const mask = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    const keep = 1 / (1 - input.p);
    for (let i = 0; i < n; i++) mask[i] = rng.nextFloat() < input.p ? 0 : keep;
    feeds[input.name] = mask;
  }
  return feeds;
}
