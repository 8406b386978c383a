/** A deterministic random init: identical on every platform for the same config and seed. */
import type { DecoderConfig } from '../../core/model/folder/config.js';
import { expectedTensors } from '../../core/model/folder/expected-tensors.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';
import { INIT_STD } from './folder-files.js';

/** mulberry32 uniform stream + Box–Muller: tiny, seedable, identical on every platform. */
function normalStream(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Every tensor from N(0, INIT_STD²) in the expected-tensor order; norm gains are 1 + that noise (so a reference check notices an ignored gain). */
export function initialWeights(config: DecoderConfig, seed: number): Record<string, TensorToWrite> {
  const normal = normalStream(seed);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of expectedTensors(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const base = name.endsWith('layernorm.weight') || name === 'model.norm.weight' ? 1 : 0;
    for (let i = 0; i < data.length; i++) data[i] = base + INIT_STD * normal();
    tensors[name] = { dtype: 'F32', shape, data };
  }
  return tensors;
}
