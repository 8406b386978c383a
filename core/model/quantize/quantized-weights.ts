/** A decoder's weight tree with its projections and LM head backed by a quantized store. */
import type { Graph } from '../../engine/index.js';
import type { QuantizedWeight } from '../../engine/primitives/index.js';
import type { DecoderWeights, ProjectionWeights } from '../decoder/decoder-weights.js';
import type { DecoderConfig } from '../folder/config.js';
import { layerPrefix } from '../folder/expected-tensors.js';
import { blocksPerRow } from './nbits.js';
import { packedShape, type QuantizedStore } from './quantized-store.js';
import { bitsOf } from './weight-quantization.js';

function quantizedWeight(g: Graph, store: QuantizedStore, name: string, accuracyLevel: 0 | 4): QuantizedWeight {
  const m = store.matrices[name];
  if (!m) throw new Error(`quantize: the store ${store.file} has no tensor ${name}`);
  const [n, k] = m.shape;
  const { spec, file } = store;
  const kb = blocksPerRow(k, spec.blockSize);
  const at = (suffix: string, r: { offset: number; length: number }, dtype: 'uint8' | 'int8' | 'float32', shape: readonly number[]) =>
    g.initializer(`${name}.${spec.type}.${suffix}`, { file, offset: r.offset, length: r.length, dtype, shape });
  if (spec.type === 'nf4') {
    const codes = at('codes', m.packed, 'uint8', [n, (kb * spec.blockSize) / 2]);
    const absmax =
      m.absmaxQ && m.absmaxMean !== undefined
        ? { q: at('absmax_q', m.absmaxQ, 'int8', [m.absmaxQ.length]), scales: at('absmax_scales', m.scales, 'float32', [m.scales.length / 4]), mean: m.absmaxMean }
        : at('absmax', m.scales, 'float32', [n * kb]);
    return { format: 'nf4', codes, absmax, blockSize: spec.blockSize, n, k };
  }
  if (!m.zeroPoints) throw new Error(`quantize: the store ${store.file} has no zero points for ${name}`);
  const zeroPoints = m.zeroPoints;
  const bits = bitsOf(spec);
  return {
    format: 'nbits',
    packed: at('packed', m.packed, 'uint8', packedShape(m, spec)),
    scales: at('scales', m.scales, 'float32', [n * kb]),
    zeroPoints: at('zero_points', zeroPoints, 'uint8', [bits === 4 ? n * Math.ceil(kb / 2) : n * kb]),
    bits,
    blockSize: spec.blockSize,
    n,
    k,
    accuracyLevel,
  };
}

/**
 * `accuracyLevel` overrides the store's (training uses 0: fp32 compute on the dequantized values);
 * `lmHead: false` keeps the fp32 head (training's cross-entropy reads it).
 */
export function withQuantizedWeights(g: Graph, config: DecoderConfig, weights: DecoderWeights, store: QuantizedStore, options: { accuracyLevel?: 0 | 4; lmHead?: boolean } = {}): DecoderWeights {
  const level = options.accuracyLevel ?? store.spec.accuracyLevel;
  const proj = (w: ProjectionWeights, name: string): ProjectionWeights => ({ ...w, quantized: quantizedWeight(g, store, name, level) });
  const layers = weights.layers.map((lw, l) => {
    const p = layerPrefix(l);
    return {
      ...lw,
      q: proj(lw.q, `${p}.self_attn.q_proj.weight`),
      k: proj(lw.k, `${p}.self_attn.k_proj.weight`),
      v: proj(lw.v, `${p}.self_attn.v_proj.weight`),
      o: proj(lw.o, `${p}.self_attn.o_proj.weight`),
      gate: proj(lw.gate, `${p}.mlp.gate_proj.weight`),
      up: proj(lw.up, `${p}.mlp.up_proj.weight`),
      down: proj(lw.down, `${p}.mlp.down_proj.weight`),
    };
  });
  if (!weights.lmHead || options.lmHead === false) return { ...weights, layers };
  const head = config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  return { ...weights, layers, lmHeadQuantized: quantizedWeight(g, store, head, level) };
}
