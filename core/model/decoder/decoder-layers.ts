/**
 * The decoder's forward as building blocks: token embedding, layers of pre-norm attention and
 * SwiGLU MLP with residuals, and the final RMSNorm, with optional LoRA on every projection.
 * Attention is passed in, so the training trace (causal attention over the whole sequence) and
 * generation (attention over a KV cache plus the new chunk) share everything else.
 */
import type { Tensor } from '../../engine/index.js';
import { checkpoint, ops } from '../../engine/index.js';
import { linear, linearGroup, quantizedLinear, rmsNorm, rotaryEmbedding, rotaryEmbeddingFromHalves, swiglu } from '../../engine/primitives/index.js';
import type { LinearOptions, LoraAdapter } from '../../engine/primitives/index.js';
import type { DecoderConfig } from '../folder/config.js';
import type { DecoderWeights, LayerWeights, ProjectionWeights } from './decoder-weights.js';
import type { LoraLookup } from './lora-adapters.js';

/**
 * Attention of `layer`: rotated q [B, nH, S, hd] and k, v [B, nKV, S, hd] (grouped-query, not
 * repeated) → [B, nH, S, hd].
 */
export type AttendFn = (q: Tensor, k: Tensor, v: Tensor, layer: number) => Tensor;

/**
 * Rotary tables for the positions of the traced tokens: HF's [B, S, hd] cos/sin (the portable ops:
 * generation, the transformers.js export), or half tables [B, S, hd/2] with each frequency once,
 * which rotate q and k through onnxruntime's RotaryEmbedding kernel — one pass each way instead
 * of five (training traces).
 */
export type RotaryContext =
  | { readonly cos: Tensor; readonly sin: Tensor; readonly halfTables?: undefined }
  | { readonly halfTables: { readonly cos: Tensor; readonly sin: Tensor }; readonly cos?: undefined; readonly sin?: undefined };

export type LayerContext = RotaryContext & {
  readonly config: DecoderConfig;
  readonly lora: LoraLookup;
  readonly attend: AttendFn;
  /**
   * Recompute each layer's activations in the backward instead of keeping them (training
   * graphs): only the layers' inputs stay alive between forward and backward.
   */
  readonly checkpointLayers?: boolean;
};

/** [B, S, n·hd] → [B, n, S, hd] */
export function splitHeads(x: Tensor, n: number, hd: number): Tensor {
  return ops.transpose(ops.reshape(x, ['batch', 'seq', n, hd]), [0, 2, 1, 3]);
}

/** [B, n, S, hd] → [B, S, n·hd] */
export function mergeHeads(x: Tensor, n: number, hd: number): Tensor {
  return ops.reshape(ops.transpose(x, [0, 2, 1, 3]), ['batch', 'seq', n * hd]);
}

/** The bias and adapter of a projection as `linear` options. */
function linearOptions(w: ProjectionWeights, lora: LoraAdapter | undefined): LinearOptions {
  return { ...(w.bias ? { bias: w.bias } : {}), ...(lora ? { lora } : {}) };
}

export function project(x: Tensor, w: ProjectionWeights, lora: LoraAdapter | undefined): Tensor {
  const options = linearOptions(w, lora);
  return w.quantized ? quantizedLinear(x, w.quantized, options) : linear(x, w.weight, options);
}

/**
 * Projections of one input (q/k/v, gate/up): through `linearGroup`, which stacks their LoRA A
 * factors, when every weight is fp32; block-quantized weights go one by one.
 */
export function projectGroup(x: Tensor, ws: readonly ProjectionWeights[], loras: readonly (LoraAdapter | undefined)[]): Tensor[] {
  if (ws.some((w) => w.quantized)) return ws.map((w, i) => project(x, w, loras[i]));
  return linearGroup(
    x,
    ws.map((w, i) => ({ weight: w.weight, ...linearOptions(w, loras[i]) })),
  );
}

/** One decoder layer on hidden states h [B, S, hidden]. */
export function decoderLayer(h: Tensor, lw: LayerWeights, layer: number, ctx: LayerContext): Tensor {
  const { numHeads: nH, numKvHeads: nKV, headDim: hd, rmsNormEps: eps } = ctx.config;
  const lora = (module: Parameters<LoraLookup>[1]): LoraAdapter | undefined => ctx.lora(layer, module);
  const x = rmsNorm(h, lw.inputNorm, eps);
  const [qx, kx, vx] = projectGroup(x, [lw.q, lw.k, lw.v], [lora('q_proj'), lora('k_proj'), lora('v_proj')]) as [Tensor, Tensor, Tensor];
  // Rotated in the projection's [B, S, n·hd] layout by the kernel, else after the head split.
  const { halfTables: half } = ctx;
  const rotatedHeads = (t: Tensor, n: number): Tensor => (half ? splitHeads(rotaryEmbeddingFromHalves(t, half.cos, half.sin, n), n, hd) : rotaryEmbedding(splitHeads(t, n, hd), ctx.cos, ctx.sin));
  const q = rotatedHeads(qx, nH);
  const k = rotatedHeads(kx, nKV);
  const v = splitHeads(vx, nKV, hd);
  const attended = mergeHeads(ctx.attend(q, k, v, layer), nH, hd);
  const afterAttention = ops.add(h, project(attended, lw.o, lora('o_proj')));
  const y = rmsNorm(afterAttention, lw.postAttentionNorm, eps);
  const [gate, up] = projectGroup(y, [lw.gate, lw.up], [lora('gate_proj'), lora('up_proj')]) as [Tensor, Tensor];
  const act = swiglu(gate, up);
  return ops.add(afterAttention, project(act, lw.down, lora('down_proj')));
}

/** int64 ids [B, S] → final hidden states [B, S, hidden] after the last RMSNorm (the lm_head's input). */
export function decoderStack(w: DecoderWeights, inputIds: Tensor, ctx: LayerContext): Tensor {
  let h = ops.gather(w.embed, inputIds);
  w.layers.forEach((lw, i) => {
    h = ctx.checkpointLayers ? checkpoint(([x]) => decoderLayer(x!, lw, i, ctx), [h]) : decoderLayer(h, lw, i, ctx);
  });
  return rmsNorm(h, w.finalNorm, ctx.config.rmsNormEps);
}
