/**
 * The tensors of a BERT / RoBERTa / XLM-RoBERTa sequence classifier, by their Hugging Face names,
 * and the same as file-backed graph values. BERT classifies from its pooler (tanh dense on
 * [CLS]); RoBERTa's head is its own dense → tanh → out_proj on `<s>` (it has no pooler).
 */
import type { Graph, Tensor } from '../../engine/index.js';
import type { ComputeDType } from '../decoder/decoder-weights.js';
import { frozenTensor } from '../decoder/decoder-weights.js';
import type { ExpectedTensor } from '../folder/expected-tensors.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { EncoderConfig } from './classifier-config.js';

export interface Dense {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

export interface Norm {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

export interface EncoderLayerWeights {
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly attentionOut: Dense;
  readonly attentionNorm: Norm;
  readonly intermediate: Dense;
  readonly output: Dense;
  readonly outputNorm: Norm;
}

export interface EncoderWeights {
  readonly words: Tensor;
  readonly positions: Tensor;
  readonly types: Tensor;
  readonly embeddingNorm: Norm;
  readonly layers: readonly EncoderLayerWeights[];
  /** BERT: pooler dense then `classifier`; RoBERTa: `classifier.dense` then `classifier.out_proj`. */
  readonly headDense: Dense;
  readonly headOut: Dense;
}

const stem = (config: EncoderConfig): string => (config.family === 'bert' ? 'bert' : 'roberta');

export function encoderTensorNames(config: EncoderConfig, numLabels: number): ExpectedTensor[] {
  const { hiddenSize: h, intermediateSize: i, vocabSize: v, maxPositions: p, typeVocabSize: t } = config;
  const s = stem(config);
  const dense = (name: string, out: number, inp: number): ExpectedTensor[] => [
    { name: `${name}.weight`, shape: [out, inp] },
    { name: `${name}.bias`, shape: [out] },
  ];
  const norm = (name: string): ExpectedTensor[] => [
    { name: `${name}.weight`, shape: [h] },
    { name: `${name}.bias`, shape: [h] },
  ];
  const out: ExpectedTensor[] = [
    { name: `${s}.embeddings.word_embeddings.weight`, shape: [v, h] },
    { name: `${s}.embeddings.position_embeddings.weight`, shape: [p, h] },
    { name: `${s}.embeddings.token_type_embeddings.weight`, shape: [t, h] },
    ...norm(`${s}.embeddings.LayerNorm`),
  ];
  for (let l = 0; l < config.numLayers; l++) {
    const layer = `${s}.encoder.layer.${l}`;
    out.push(
      ...dense(`${layer}.attention.self.query`, h, h),
      ...dense(`${layer}.attention.self.key`, h, h),
      ...dense(`${layer}.attention.self.value`, h, h),
      ...dense(`${layer}.attention.output.dense`, h, h),
      ...norm(`${layer}.attention.output.LayerNorm`),
      ...dense(`${layer}.intermediate.dense`, i, h),
      ...dense(`${layer}.output.dense`, h, i),
      ...norm(`${layer}.output.LayerNorm`),
    );
  }
  if (config.family === 'bert') out.push(...dense('bert.pooler.dense', h, h), ...dense('classifier', numLabels, h));
  else out.push(...dense('classifier.dense', h, h), ...dense('classifier.out_proj', numLabels, h));
  return out;
}

export function frozenEncoderWeights(g: Graph, config: EncoderConfig, weights: SafetensorsWeights, dtype: ComputeDType): EncoderWeights {
  const get = (name: string): Tensor => frozenTensor(g, weights, name, dtype);
  const pair = (name: string) => ({ weight: get(`${name}.weight`), bias: get(`${name}.bias`) });
  const s = stem(config);
  const layers: EncoderLayerWeights[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const layer = `${s}.encoder.layer.${l}`;
    layers.push({
      query: pair(`${layer}.attention.self.query`),
      key: pair(`${layer}.attention.self.key`),
      value: pair(`${layer}.attention.self.value`),
      attentionOut: pair(`${layer}.attention.output.dense`),
      attentionNorm: pair(`${layer}.attention.output.LayerNorm`),
      intermediate: pair(`${layer}.intermediate.dense`),
      output: pair(`${layer}.output.dense`),
      outputNorm: pair(`${layer}.output.LayerNorm`),
    });
  }
  return {
    words: get(`${s}.embeddings.word_embeddings.weight`),
    positions: get(`${s}.embeddings.position_embeddings.weight`),
    types: get(`${s}.embeddings.token_type_embeddings.weight`),
    embeddingNorm: pair(`${s}.embeddings.LayerNorm`),
    layers,
    headDense: pair(config.family === 'bert' ? 'bert.pooler.dense' : 'classifier.dense'),
    headOut: pair(config.family === 'bert' ? 'classifier' : 'classifier.out_proj'),
  };
}
