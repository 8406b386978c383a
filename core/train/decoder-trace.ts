/**
 * The decoder forward for training, traced from the engine's primitives: final (normed) hidden
 * states of a right-padded batch, with LoRA factors as trainable graph parameters. Tracing it a
 * second time without the factors over the same frozen initializers gives the reference model
 * (adapter off) inside the same graph, which is what the safety KL needs.
 */
import type { Tensor } from '../engine/index.js';
import { ops } from '../engine/index.js';
import { attention, linear, rmsNorm, rotaryEmbedding, swiglu } from '../engine/primitives/index.js';
import type { LoraAdapter } from '../engine/primitives/index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import { ropeInverseFrequencies } from '../model/folder/rope.js';
import type { DecoderWeights, ProjectionWeights } from '../model/generation/decoder-weights.js';
import type { LoraModule } from '../model/generation/peft-adapter.js';

export interface DecoderInputs {
  /** [batch, seq] int64 */
  readonly ids: Tensor;
  /** [batch, seq] float, 1 real / 0 padding */
  readonly mask: Tensor;
  /** [batch, seq] float positions */
  readonly positions: Tensor;
}

/**
 * Where LoRA dropout applies: one mask per distinct projection input (q/k/v share the attention
 * input, gate/up the MLP input), so a layer needs four masks rather than seven.
 */
export type DropoutSite = 'attn' | 'o' | 'mlp' | 'down';
export const DROPOUT_SITES: readonly DropoutSite[] = ['attn', 'o', 'mlp', 'down'];
export const siteOf = (module: LoraModule): DropoutSite =>
  module === 'o_proj' ? 'o' : module === 'down_proj' ? 'down' : module === 'gate_proj' || module === 'up_proj' ? 'mlp' : 'attn';

export interface LoraHooks {
  /** The factors of a projection, or undefined when it carries none. */
  factors(layer: number, module: LoraModule): { a: Tensor; b: Tensor } | undefined;
  readonly scale: number;
  /** Dropout mask [batch, seq, in] for a site of a layer (training only). */
  dropoutMask?(layer: number, site: DropoutSite): Tensor | undefined;
}

function rotaryTables(positions: Tensor, config: DecoderConfig): { cos: Tensor; sin: Tensor } {
  const g = positions.graph;
  const inv = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
  const freqs = ops.mul(ops.unsqueeze(positions, -1), g.constant(Float32Array.from(inv), 'float32', [inv.length]));
  const emb = ops.concat([freqs, freqs], -1);
  return { cos: ops.cos(emb), sin: ops.sin(emb) };
}

/** [B, S, n·hd] → [B, n, S, hd] */
function heads(x: Tensor, n: number, hd: number): Tensor {
  return ops.transpose(ops.reshape(x, ['batch', 'seq', n, hd]), [0, 2, 1, 3]);
}

/** Final normed hidden states [batch, seq, hidden]; LoRA on the projections `lora` names. */
export function traceDecoder(config: DecoderConfig, w: DecoderWeights, inputs: DecoderInputs, lora?: LoraHooks): Tensor {
  const { numHeads: nH, numKvHeads: nKV, headDim: hd, hiddenSize } = config;
  const { cos, sin } = rotaryTables(inputs.positions, config);
  const project = (x: Tensor, p: ProjectionWeights, layer: number, module: LoraModule): Tensor => {
    const f = lora?.factors(layer, module);
    let adapter: LoraAdapter | undefined;
    if (f && lora) {
      const dropoutMask = lora.dropoutMask?.(layer, siteOf(module));
      adapter = { a: f.a, b: f.b, scale: lora.scale, ...(dropoutMask ? { dropoutMask } : {}) };
    }
    return linear(x, p.weight, { ...(p.bias ? { bias: p.bias } : {}), ...(adapter ? { lora: adapter } : {}) });
  };
  let h = ops.gather(w.embed, inputs.ids);
  w.layers.forEach((lw, i) => {
    const x = rmsNorm(h, lw.inputNorm, config.rmsNormEps);
    const q = rotaryEmbedding(heads(project(x, lw.q, i, 'q_proj'), nH, hd), cos, sin);
    const k = rotaryEmbedding(heads(project(x, lw.k, i, 'k_proj'), nKV, hd), cos, sin);
    const v = heads(project(x, lw.v, i, 'v_proj'), nKV, hd);
    const attn = attention(q, k, v, { scale: 1 / Math.sqrt(hd), causal: true, keyPaddingMask: inputs.mask });
    const merged = ops.reshape(ops.transpose(attn, [0, 2, 1, 3]), ['batch', 'seq', nH * hd]);
    h = ops.add(h, project(merged, lw.o, i, 'o_proj'));
    const y = rmsNorm(h, lw.postAttentionNorm, config.rmsNormEps);
    const act = swiglu(project(y, lw.gate, i, 'gate_proj'), project(y, lw.up, i, 'up_proj'));
    h = ops.add(h, project(act, lw.down, i, 'down_proj'));
  });
  const normed = rmsNorm(h, w.finalNorm, config.rmsNormEps);
  return ops.reshape(normed, ['batch', 'seq', hiddenSize]);
}

/** Input width of each dropout site. */
export function siteWidth(config: DecoderConfig, site: DropoutSite): number {
  if (site === 'o') return config.numHeads * config.headDim;
  if (site === 'down') return config.intermediateSize;
  return config.hiddenSize;
}
