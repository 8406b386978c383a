/**
 * Forward-only decoder graphs for inference, traced from the engine's primitives:
 *
 * - 'cached': a chunk of S new tokens after a KV cache of capacity C → logits of the chunk's last
 *   position [B, V] and the chunk's keys/values per layer [B, nKV, S, hd]. Prefill is a chunk
 *   after an empty cache; a decode step is a chunk of one token. One graph with symbolic batch,
 *   seq and cache dims serves both, so the model's weights are prepacked once.
 * - 'full': the whole sequence at once (no cache), through the training attention primitive →
 *   logits [B, S, V] or per-token log-probabilities of given targets. Scoring and perplexity use
 *   it, and it is the independent reference the cached path is tested against.
 *
 * Left padding is expressed by a float attention mask (1 real, 0 pad) and position ids fed by the
 * caller (HF: cumsum(mask) − 1). LoRA factors are graph inputs, so new adapter values (a trainer's
 * policy after a step) need no recompilation.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, gradients, ops } from '../../engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, swiglu, tokenLogProbs } from '../../engine/primitives/index.js';
import type { LoraAdapter } from '../../engine/primitives/index.js';
import type { DecoderConfig } from '../folder/config.js';
import { ropeInverseFrequencies } from '../folder/rope.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import { cachedAttention, chunkMasks } from './cached-attention.js';
import type { ChunkMasks } from './cached-attention.js';
import { declareDecoderWeights } from './decoder-weights.js';
import type { ProjectionWeights } from './decoder-weights.js';
import { LORA_MODULES, pairKey, projectionShape } from './peft-adapter.js';
import type { LoraModule } from './peft-adapter.js';

/** Which projections carry LoRA factors, at what rank and scale (the values are fed per run). */
export interface LoraLayout {
  readonly rank: number;
  readonly scale: number;
  /** `${layer}.${module}` keys. */
  readonly keys: ReadonlySet<string>;
}

export type DecoderGraphKind =
  /** KV-cached chunk → last logits + chunk K/V. */
  | 'cached'
  /** Whole sequence → logits [B, S, V]. */
  | 'full-logits'
  /** Whole sequence → log p(target) per position [B·S] (targets −100 give 0). */
  | 'full-token-logprobs'
  /** Whole sequence → summed NLL of targets and their count (causal-LM loss). */
  | 'full-nll'
  /**
   * One LoRA SFT step's graph: mean causal-LM loss over the targets and its gradient for every
   * LoRA factor (the factors are trainable parameters; gradients come back under their names).
   */
  | 'lora-sft';

export const inputNames = {
  ids: 'input_ids',
  mask: 'attention_mask',
  positions: 'position_ids',
  pastMask: 'past_mask',
  targets: 'targets',
  pastKey: (layer: number): string => `past.${layer}.key`,
  pastValue: (layer: number): string => `past.${layer}.value`,
  loraA: (key: string): string => `lora.${key}.A`,
  loraB: (key: string): string => `lora.${key}.B`,
} as const;

export const outputNames = {
  logits: 'logits',
  tokenLogProbs: 'token_logprobs',
  nllSum: 'nll_sum',
  count: 'count',
  loss: 'loss',
  presentKey: (layer: number): string => `present.${layer}.key`,
  presentValue: (layer: number): string => `present.${layer}.value`,
} as const;

/** cos/sin [B, S, hd] from float positions [B, S], HF layout (the frequencies repeated twice). */
function rotaryTables(positions: Tensor, config: DecoderConfig): { cos: Tensor; sin: Tensor } {
  const g = positions.graph;
  const inv = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
  const freqs = ops.mul(ops.unsqueeze(positions, -1), g.constant(Float32Array.from(inv), 'float32', [inv.length]));
  const emb = ops.concat([freqs, freqs], -1);
  return { cos: ops.cos(emb), sin: ops.sin(emb) };
}

interface LayerContext {
  readonly config: DecoderConfig;
  readonly cos: Tensor;
  readonly sin: Tensor;
  readonly lora: (layer: number, module: LoraModule) => LoraAdapter | undefined;
}

function project(x: Tensor, w: ProjectionWeights, lora: LoraAdapter | undefined): Tensor {
  return linear(x, w.weight, { ...(w.bias ? { bias: w.bias } : {}), ...(lora ? { lora } : {}) });
}

/** [B, S, n·hd] → [B, n, S, hd] */
function heads(x: Tensor, n: number, hd: number): Tensor {
  return ops.transpose(ops.reshape(x, ['batch', 'seq', n, hd]), [0, 2, 1, 3]);
}

export function buildDecoderGraph(config: DecoderConfig, weights: SafetensorsWeights, kind: DecoderGraphKind, lora?: LoraLayout): Program {
  const g = new Graph();
  const w = declareDecoderWeights(g, config, weights);
  const { numHeads: nH, numKvHeads: nKV, headDim: hd, hiddenSize: hidden } = config;
  const ids = g.input(inputNames.ids, 'int64', ['batch', 'seq']);
  const mask = g.input(inputNames.mask, 'float32', ['batch', 'seq']);
  const positions = g.input(inputNames.positions, 'float32', ['batch', 'seq']);
  const cached = kind === 'cached';
  const pastMask = cached ? g.input(inputNames.pastMask, 'float32', ['batch', 'cache']) : undefined;
  const masks: ChunkMasks | undefined = pastMask ? chunkMasks(pastMask, mask) : undefined;

  const loraInputs = new Map<string, LoraAdapter>();
  if (lora) {
    for (const key of [...lora.keys].sort()) {
      const module = key.slice(key.indexOf('.') + 1) as LoraModule;
      if (!LORA_MODULES.includes(module)) throw new Error(`generation: LoRA key '${key}' names no projection`);
      const [out, inDim] = projectionShape(config, module);
      // Trainable in the SFT graph; plain inputs for inference (no autodiff bookkeeping).
      const declare = kind === 'lora-sft' ? g.parameter.bind(g) : g.input.bind(g);
      loraInputs.set(key, {
        a: declare(inputNames.loraA(key), 'float32', [lora.rank, inDim]),
        b: declare(inputNames.loraB(key), 'float32', [out, lora.rank]),
        scale: lora.scale,
      });
    }
  }
  const ctx: LayerContext = {
    config,
    ...rotaryTables(positions, config),
    lora: (layer, module) => loraInputs.get(pairKey(layer, module)),
  };

  const outputs: Record<string, Tensor> = {};
  let h = ops.gather(w.embed, ids);
  w.layers.forEach((lw, i) => {
    const x = rmsNorm(h, lw.inputNorm, config.rmsNormEps);
    const q = rotaryEmbedding(heads(project(x, lw.q, ctx.lora(i, 'q_proj')), nH, hd), ctx.cos, ctx.sin);
    const k = rotaryEmbedding(heads(project(x, lw.k, ctx.lora(i, 'k_proj')), nKV, hd), ctx.cos, ctx.sin);
    const v = heads(project(x, lw.v, ctx.lora(i, 'v_proj')), nKV, hd);
    let attn: Tensor;
    if (masks) {
      const pastK = g.input(inputNames.pastKey(i), 'float32', ['batch', nKV, 'cache', hd]);
      const pastV = g.input(inputNames.pastValue(i), 'float32', ['batch', nKV, 'cache', hd]);
      attn = cachedAttention(q, k, v, pastK, pastV, masks, { kvHeads: nKV, rep: nH / nKV, headDim: hd });
      outputs[outputNames.presentKey(i)] = k;
      outputs[outputNames.presentValue(i)] = v;
    } else {
      attn = attention(q, k, v, { scale: 1 / Math.sqrt(hd), causal: true, keyPaddingMask: mask });
    }
    const merged = ops.reshape(ops.transpose(attn, [0, 2, 1, 3]), ['batch', 'seq', nH * hd]);
    h = ops.add(h, project(merged, lw.o, ctx.lora(i, 'o_proj')));
    const y = rmsNorm(h, lw.postAttentionNorm, config.rmsNormEps);
    const act = swiglu(project(y, lw.gate, ctx.lora(i, 'gate_proj')), project(y, lw.up, ctx.lora(i, 'up_proj')));
    h = ops.add(h, project(act, lw.down, ctx.lora(i, 'down_proj')));
  });

  if (cached) {
    const last = ops.squeeze(ops.slice(h, { axis: 1, start: 'seq-1' }), 1);
    outputs[outputNames.logits] = linear(rmsNorm(last, w.finalNorm, config.rmsNormEps), w.lmHead);
  } else {
    const normed = rmsNorm(h, w.finalNorm, config.rmsNormEps);
    if (kind === 'full-logits') outputs[outputNames.logits] = linear(normed, w.lmHead);
    else {
      const targets = g.input(inputNames.targets, 'int64', ['batch', 'seq']);
      const flatH = ops.reshape(normed, ['batch*seq', hidden]);
      const flatT = ops.reshape(targets, ['batch*seq']);
      if (kind === 'full-token-logprobs') outputs[outputNames.tokenLogProbs] = tokenLogProbs(flatH, w.lmHead, flatT);
      else {
        const { lossSum, count } = lmHeadCrossEntropy(flatH, w.lmHead, flatT);
        outputs[outputNames.nllSum] = lossSum;
        outputs[outputNames.count] = count;
        if (kind === 'lora-sft') {
          if (g.parameters.length === 0) throw new Error('generation: a LoRA SFT graph needs a LoRA layout with at least one projection');
          const loss = ops.div(lossSum, ops.maximum(count, 1));
          outputs[outputNames.loss] = loss;
          Object.assign(outputs, gradients(loss, g.parameters));
        }
      }
    }
  }
  return g.compile({ outputs });
}
