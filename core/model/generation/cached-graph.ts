/**
 * The KV-cached inference graph: a chunk of S new tokens after a cache of capacity C → logits of
 * the chunk's last position [B, V] and the chunk's keys/values per layer [B, nKV, S, hd]. Prefill
 * is a chunk after an empty cache; a decode step is a chunk of one token. One graph with symbolic
 * batch, seq and cache dims serves both, so the weights are prepacked once.
 *
 * Everything but attention is the training decoder's own layer stack (core/model/decoder), with
 * the same file-backed weights and the same LoRA factors (graph parameters named by PEFT keys, so
 * a LoraState feeds them and new values need no recompilation). Positions follow HF for left
 * padding: cumsum(mask) − 1 within the chunk, after the real tokens the cache already holds.
 */
import { AttuneError } from '../../base/errors.js';
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, ops } from '../../engine/index.js';
import { linear, quantizedLinear } from '../../engine/primitives/index.js';
import type { QuantizedStore } from '../quantize/quantized-store.js';
import { withQuantizedWeights } from '../quantize/quantized-weights.js';
import { DECODER_INPUTS, NO_LORA, declareLoraFactors, decoderStack, frozenDecoderWeights, positionIdsFromMask, rotaryTables } from '../decoder/index.js';
import type { AttendFn, DecoderModel } from '../decoder/index.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { cachedAttention, chunkMasks } from './cached-attention.js';

export const CACHED_INPUTS = {
  inputIds: DECODER_INPUTS.inputIds,
  /** int64 [batch, seq]: 1 real token, 0 padding. */
  attentionMask: DECODER_INPUTS.attentionMask,
  /** int64 [batch, cache]: 1 where a cache slot holds a real token. */
  pastMask: 'past_mask',
  pastKey: (layer: number): string => `past.${layer}.key`,
  pastValue: (layer: number): string => `past.${layer}.value`,
} as const;

export const CACHED_OUTPUTS = {
  /** [batch, vocab] at the chunk's last position. */
  logits: 'logits',
  presentKey: (layer: number): string => `present.${layer}.key`,
  presentValue: (layer: number): string => `present.${layer}.value`,
} as const;

/**
 * `lora`: the adapter's layout (its values are fed per run), or null for the base model.
 * `quantized`: the projections and LM head as block-quantized weights (MatMulNBits) instead of fp32.
 */
export function buildCachedDecoderGraph(model: DecoderModel, lora: LoraConfig | null, quantized?: QuantizedStore): Program {
  // A folder quantized for training (QLoRA) generates its rollouts through the same weights as the
  // training graph — fp32 compute, fp32 LM head — so the sampled tokens' log-probs agree with it.
  const g = new Graph();
  // Forward only: without the autodiff tape, custom ops over the LoRA parameters add no alias nodes.
  const outputs = g.withTapeSuspended(() => traceCached(g, model, lora, quantized));
  return g.compile({ outputs });
}

function traceCached(g: Graph, model: DecoderModel, lora: LoraConfig | null, quantized: QuantizedStore | undefined): Record<string, Tensor> {
  const { config } = model;
  const { numHeads: nH, numKvHeads: nKV, headDim: hd } = config;
  const fp32 = frozenDecoderWeights(g, config, model.weights, 'float32');
  const store = quantized ?? model.quantized;
  const weights = store ? withQuantizedWeights(g, config, fp32, store, quantized ? {} : { accuracyLevel: 0, lmHead: false }) : fp32;
  const ids = g.input(CACHED_INPUTS.inputIds, 'int64', ['batch', 'seq']);
  const mask = g.input(CACHED_INPUTS.attentionMask, 'int64', ['batch', 'seq']);
  const pastMask = g.input(CACHED_INPUTS.pastMask, 'int64', ['batch', 'cache']);
  const positions = ops.add(positionIdsFromMask(mask), ops.sum(pastMask, 1, true));
  const masks = chunkMasks(ops.cast(pastMask, 'float32'), ops.cast(mask, 'float32'));
  const adapters = lora ? declareLoraFactors(g, config, lora, 'float32', false).lookup : NO_LORA;

  const outputs: Record<string, Tensor> = {};
  const attend: AttendFn = (q, k, v, layer) => {
    const pastK = g.input(CACHED_INPUTS.pastKey(layer), 'float32', ['batch', nKV, 'cache', hd]);
    const pastV = g.input(CACHED_INPUTS.pastValue(layer), 'float32', ['batch', nKV, 'cache', hd]);
    outputs[CACHED_OUTPUTS.presentKey(layer)] = k;
    outputs[CACHED_OUTPUTS.presentValue(layer)] = v;
    return cachedAttention(q, k, v, pastK, pastV, masks, { kvHeads: nKV, rep: nH / nKV, headDim: hd });
  };
  const hidden = decoderStack(weights, ids, { config, ...rotaryTables(positions, config, 'float32'), lora: adapters, attend });
  const last = ops.squeeze(ops.slice(hidden, { axis: 1, start: 'seq-1' }), 1);
  if (!weights.lmHead) throw new AttuneError('generation: the model is a sequence classifier and has no LM head to generate with', 'Generate with a causal LM folder; score text with a classifier through attune classify or attune score.');
  outputs[CACHED_OUTPUTS.logits] = weights.lmHeadQuantized ? quantizedLinear(last, weights.lmHeadQuantized) : linear(last, weights.lmHead);
  return outputs;
}
