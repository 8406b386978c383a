/**
 * Sequence-classifier forwards on the engine, returning logits [batch, num_labels]:
 *
 * - encoders (HF BertForSequenceClassification / RobertaForSequenceClassification / XLM-R): word +
 *   position + token-type embeddings → LayerNorm, then post-LayerNorm layers (self-attention over
 *   the non-padding keys, residual, LayerNorm; dense → GELU → dense, residual, LayerNorm), then the
 *   head on the first token (BERT: pooler tanh dense → classifier; RoBERTa: dense → tanh → out_proj);
 * - decoders (Qwen2/Llama/Mistral…ForSequenceClassification): the decoder stack, then `score` (no
 *   bias) on the hidden state of the row's last non-padding token.
 *
 * Position ids and the decoder's last-token index are fed, computed the way transformers computes
 * them (see classifier-batch.ts), so padding side and HF's quirks are decided in one place.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, ops } from '../../engine/index.js';
import { attention, linear } from '../../engine/primitives/index.js';
import { mergeHeads, splitHeads } from '../decoder/decoder-layers.js';
import { DecoderTrace } from '../decoder/decoder-trace.js';
import type { ComputeDType } from '../decoder/decoder-weights.js';
import { frozenTensor } from '../decoder/decoder-weights.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { ClassifierConfig, EncoderConfig } from './classifier-config.js';
import { frozenEncoderWeights } from './encoder-weights.js';
import type { Dense, EncoderWeights, Norm } from './encoder-weights.js';

export const CLASSIFIER_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  tokenTypeIds: 'token_type_ids',
  positionIds: 'position_ids',
  /** int64 [batch]: flat row index (b·seq + t) of each row's last non-padding token (decoders). */
  lastTokenIndex: 'last_token_index',
} as const;

export const CLASSIFIER_OUTPUTS = { logits: 'logits' } as const;

const dense = (x: Tensor, d: Dense): Tensor => linear(x, d.weight, { bias: d.bias });
const norm = (x: Tensor, n: Norm, eps: number): Tensor => ops.layerNorm(x, n.weight, n.bias, eps);

export function encoderLogits(config: EncoderConfig, w: EncoderWeights, ids: Tensor, types: Tensor, positions: Tensor, keyMask: Tensor): Tensor {
  const { numHeads: nH, headDim: hd, layerNormEps: eps } = config;
  let x = ops.add(ops.add(ops.gather(w.words, ids), ops.gather(w.positions, positions)), ops.gather(w.types, types));
  x = norm(x, w.embeddingNorm, eps);
  for (const layer of w.layers) {
    const q = splitHeads(dense(x, layer.query), nH, hd);
    const k = splitHeads(dense(x, layer.key), nH, hd);
    const v = splitHeads(dense(x, layer.value), nH, hd);
    const attended = mergeHeads(attention(q, k, v, { scale: 1 / Math.sqrt(hd), keyPaddingMask: keyMask, causal: false }), nH, hd);
    const afterAttention = norm(ops.add(x, dense(attended, layer.attentionOut)), layer.attentionNorm, eps);
    const inner = ops.gelu(dense(afterAttention, layer.intermediate), config.activation);
    x = norm(ops.add(afterAttention, dense(inner, layer.output)), layer.outputNorm, eps);
  }
  const first = ops.squeeze(ops.slice(x, { axis: 1, start: 0, end: 1 }), 1);
  return dense(ops.tanh(dense(first, w.headDense)), w.headOut);
}

export interface ClassifierModel {
  readonly config: ClassifierConfig;
  readonly weights: SafetensorsWeights;
}

/** One compiled forward: inputs as CLASSIFIER_INPUTS (those the family reads), output `logits`. */
export function buildClassifierProgram(model: ClassifierModel, dtype: ComputeDType = 'float32'): Program {
  const { config, weights } = model;
  if (config.kind === 'decoder') {
    const trace = DecoderTrace.trace({ config: config.decoder, weights }, { dtype, trainable: { kind: 'none' }, dropout: false, positions: 'input' });
    const g = trace.graph;
    const hidden = trace.hidden();
    const flat = ops.reshape(hidden, [-1, config.decoder.hiddenSize]);
    const last = ops.gather(flat, g.input(CLASSIFIER_INPUTS.lastTokenIndex, 'int64', ['batch']), 0);
    const score = frozenTensor(g, weights, 'score.weight', dtype);
    return g.compile({ outputs: { [CLASSIFIER_OUTPUTS.logits]: linear(last, score) } });
  }
  const g = new Graph();
  const w = frozenEncoderWeights(g, config.encoder, weights, dtype);
  const ids = g.input(CLASSIFIER_INPUTS.inputIds, 'int64', ['batch', 'seq']);
  const types = g.input(CLASSIFIER_INPUTS.tokenTypeIds, 'int64', ['batch', 'seq']);
  const positions = g.input(CLASSIFIER_INPUTS.positionIds, 'int64', ['batch', 'seq']);
  const mask = ops.cast(g.input(CLASSIFIER_INPUTS.attentionMask, 'int64', ['batch', 'seq']), dtype);
  return g.compile({ outputs: { [CLASSIFIER_OUTPUTS.logits]: encoderLogits(config.encoder, w, ids, types, positions, mask) } });
}
