/**
 * LoRA dropout masks, drawn in JS from the trainer's seeded stream and fed to the graph: kept
 * inputs are scaled by 1/(1−p) (inverted dropout), so evaluation needs no rescaling.
 */
import type { Xoshiro128 } from '../data/sampling/rng.js';
import type { DropoutInput } from './sft-graph.js';

export function dropoutFeeds(inputs: readonly DropoutInput[], rows: number, p: number, rng: Xoshiro128): Record<string, Float32Array> {
  const keep = 1 / (1 - p);
  // Compare raw 32-bit draws against an integer threshold: one draw per element, no division.
  const threshold = Math.floor(p * 4294967296);
  const out: Record<string, Float32Array> = {};
  for (const input of inputs) {
    const data = new Float32Array(rows * input.width);
    for (let i = 0; i < data.length; i++) data[i] = rng.nextUint32() >= threshold ? keep : 0;
    out[input.name] = data;
  }
  return out;
}
