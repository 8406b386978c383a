/**
 * The decoder as transformers.js runs a decoder-only text-generation model (the Optimum export
 * contract, ../shared/ECOSYSTEM-FACTS.md): inputs `input_ids` and `position_ids` [batch, seq],
 * `attention_mask` over past and new tokens [batch, past + seq], `past_key_values.{i}.key|value`
 * [batch, kv_heads, past, head_dim]; outputs `logits` [batch, seq, vocab] and
 * `present.{i}.key|value`, the whole cache after the chunk [batch, kv_heads, past + seq, head_dim].
 *
 * Everything but the cache handling is the training decoder's layer stack with the generator's
 * chunk attention (core/model/generation), so the export computes what Attune computes. The
 * symbols are traced as the engine names them and renamed in the file by EXPORT_DIM_NAMES:
 * transformers.js builds the first step's empty caches from the graph's input shapes, where only
 * a dim named `batch_size` is kept and every other symbolic dim becomes 0.
 */
import { AttuneError } from '../../base/errors.js';
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, ops } from '../../engine/index.js';
import { linear } from '../../engine/primitives/index.js';
import { NO_LORA, decoderStack, frozenDecoderWeights, rotaryTables } from '../decoder/index.js';
import type { AttendFn, DecoderModel } from '../decoder/index.js';
import { cachedAttention, chunkMasks } from '../generation/cached-attention.js';

export const EXPORT_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  pastKey: (layer: number): string => `past_key_values.${layer}.key`,
  pastValue: (layer: number): string => `past_key_values.${layer}.value`,
} as const;

export const EXPORT_OUTPUTS = {
  logits: 'logits',
  presentKey: (layer: number): string => `present.${layer}.key`,
  presentValue: (layer: number): string => `present.${layer}.value`,
} as const;

/** The engine's symbols → Optimum's dim names in the file. */
export const EXPORT_DIM_NAMES = { batch: 'batch_size', seq: 'sequence_length', cache: 'past_sequence_length' } as const;

/** The merged model (no adapter: fold one in first) as transformers.js's decoder graph. */
export function buildTransformersJsGraph(model: DecoderModel): Program {
  const g = new Graph();
  const outputs = g.withTapeSuspended(() => trace(g, model));
  return g.compile({ outputs });
}

function trace(g: Graph, model: DecoderModel): Record<string, Tensor> {
  const { config } = model;
  const { numHeads: nH, numKvHeads: nKV, headDim: hd, numLayers } = config;
  const weights = frozenDecoderWeights(g, config, model.weights, 'float32');
  if (!weights.lmHead) throw new AttuneError('export: the model is a sequence classifier; transformers.js text generation needs a causal LM head', 'Export a causal LM folder (or an adapter trained on one).');
  const ids = g.input(EXPORT_INPUTS.inputIds, 'int64', ['batch', 'seq']);
  const mask = g.input(EXPORT_INPUTS.attentionMask, 'int64', ['batch', 'cache+seq']);
  const positions = g.input(EXPORT_INPUTS.positionIds, 'int64', ['batch', 'seq']);
  const past = Array.from({ length: numLayers }, (_, layer) => ({
    key: g.input(EXPORT_INPUTS.pastKey(layer), 'float32', ['batch', nKV, 'cache', hd]),
    value: g.input(EXPORT_INPUTS.pastValue(layer), 'float32', ['batch', nKV, 'cache', hd]),
  }));
  const maskF = ops.cast(mask, 'float32');
  const masks = chunkMasks(ops.slice(maskF, { axis: 1, start: 0, end: 'cache' }), ops.slice(maskF, { axis: 1, start: 'cache' }));

  const outputs: Record<string, Tensor> = {};
  const attend: AttendFn = (q, k, v, layer) => {
    const { key: pastK, value: pastV } = past[layer]!;
    outputs[EXPORT_OUTPUTS.presentKey(layer)] = ops.concat([pastK, k], 2);
    outputs[EXPORT_OUTPUTS.presentValue(layer)] = ops.concat([pastV, v], 2);
    return cachedAttention(q, k, v, pastK, pastV, masks, { kvHeads: nKV, rep: nH / nKV, headDim: hd });
  };
  const hidden = decoderStack(weights, ids, { config, ...rotaryTables(positions, config, 'float32'), lora: NO_LORA, attend });
  outputs[EXPORT_OUTPUTS.logits] = linear(hidden, weights.lmHead);
  return outputs;
}
