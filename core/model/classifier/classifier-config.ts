/**
 * `config.json` of a Hugging Face sequence classifier: an encoder (BERT, RoBERTa, XLM-RoBERTa
 * `…ForSequenceClassification`) or a decoder with a `score` head (Qwen2 / Llama / Mistral
 * `…ForSequenceClassification`), with its labels (`id2label`, `num_labels`) and problem type.
 */
import { z } from 'zod';
import { parseDecoderConfig } from '../folder/config.js';
import type { DecoderConfig, WeightDtype } from '../folder/config.js';
import { ModelFolderError } from '../folder/errors.js';
import { parseWith } from '../folder/json-file.js';

export type EncoderFamily = 'bert' | 'roberta' | 'xlm-roberta';
export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';

const ENCODER_CLASSES: Record<EncoderFamily, string> = {
  bert: 'BertForSequenceClassification',
  roberta: 'RobertaForSequenceClassification',
  'xlm-roberta': 'XLMRobertaForSequenceClassification',
};
const DECODER_CLASSES: Record<string, string> = {
  qwen2: 'Qwen2ForSequenceClassification',
  llama: 'LlamaForSequenceClassification',
  mistral: 'MistralForSequenceClassification',
};

/** The `…ForSequenceClassification` class of a decoder model_type (`qwen2` → `Qwen2ForSequenceClassification`). */
export function decoderClassifierClass(modelType: string): string | undefined {
  return DECODER_CLASSES[modelType];
}

export interface EncoderConfig {
  family: EncoderFamily;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** Exact erf GELU (`gelu`) or the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`). */
  activation: 'erf' | 'tanh';
  /** RoBERTa positions count from padding_idx + 1; BERT ignores it. */
  padTokenId: number;
  torchDtype: WeightDtype | null;
}

interface Labels {
  numLabels: number;
  /** Label names by class index (`LABEL_i` when the config names none). */
  labels: string[];
  problemType: ProblemType;
}

export type ClassifierConfig =
  | ({ kind: 'encoder'; architecture: string; encoder: EncoderConfig; raw: Record<string, unknown> } & Labels)
  | ({ kind: 'decoder'; architecture: string; decoder: DecoderConfig; raw: Record<string, unknown>; pairFormat: PairFormat } & Labels);

/**
 * How a decoder classifier reads a (text, pair) input: 'text' as transformers' tokenizer(text,
 * pair) does (the two segments back to back); 'chat' as a user turn and an assistant reply
 * rendered by the chat template (config.json `"attune_pair_format": "chat"`, written by the
 * reward-model recipe with `pairFormat: chat`).
 */
export type PairFormat = 'text' | 'chat';

function pairFormatOf(raw: Record<string, unknown>, file: string): PairFormat {
  const value = raw.attune_pair_format;
  if (value === undefined || value === null || value === 'text') return 'text';
  if (value === 'chat') return 'chat';
  throw new ModelFolderError(`${file}: attune_pair_format ${JSON.stringify(value)} is not supported; expected "chat" or "text"`, 'leave the key out for transformers\' text-pair encoding');
}

const positiveInt = z.number().int().positive();
const encoderSchema = z
  .object({
    hidden_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    intermediate_size: positiveInt,
    vocab_size: positiveInt,
    max_position_embeddings: positiveInt,
    type_vocab_size: positiveInt.default(2),
    layer_norm_eps: z.number().positive().default(1e-12),
    hidden_act: z.string().default('gelu'),
    pad_token_id: z.number().int().nonnegative().nullable().optional(),
    position_embedding_type: z.string().default('absolute'),
    torch_dtype: z.string().nullable().optional(),
    dtype: z.string().nullable().optional(),
  })
  .loose();

const labelsSchema = z
  .object({
    num_labels: positiveInt.optional(),
    id2label: z.record(z.string(), z.string()).optional(),
    problem_type: z.enum(['regression', 'single_label_classification', 'multi_label_classification']).nullable().optional(),
  })
  .loose();

const ACTIVATIONS: Record<string, 'erf' | 'tanh'> = { gelu: 'erf', gelu_new: 'tanh', gelu_pytorch_tanh: 'tanh' };

export function parseClassifierConfig(value: unknown, file: string): ClassifierConfig {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const modelType = record.model_type;
  const classes = Array.isArray(record.architectures) ? (record.architectures as unknown[]).filter((c): c is string => typeof c === 'string') : [];
  const known = [...Object.values(ENCODER_CLASSES), ...Object.values(DECODER_CLASSES)];
  const family = (Object.keys(ENCODER_CLASSES) as EncoderFamily[]).find((f) => f === modelType);
  const decoderClass = typeof modelType === 'string' ? DECODER_CLASSES[modelType] : undefined;
  if (!family && !decoderClass) {
    throw new ModelFolderError(
      `${file}: model_type ${JSON.stringify(modelType ?? null)} is not a supported sequence classifier`,
      `supported: ${known.join(', ')}`,
    );
  }
  const expected = family ? ENCODER_CLASSES[family] : decoderClass!;
  if (classes.length > 0 && !classes.includes(expected)) {
    throw new ModelFolderError(
      `${file}: architectures ${JSON.stringify(classes)} has no ${expected}`,
      'Attune scores with the sequence-classification head; a base or causal-LM checkpoint has no classifier weights',
    );
  }
  const labels = parseLabels(parseWith(labelsSchema, value, file), file);
  const raw = { ...record };
  if (decoderClass) return { kind: 'decoder', architecture: expected, decoder: parseDecoderConfig(value, file, 'sequence-classification'), raw, pairFormat: pairFormatOf(raw, file), ...labels };

  const c = parseWith(encoderSchema, value, file);
  const activation = ACTIVATIONS[c.hidden_act];
  if (!activation) throw new ModelFolderError(`${file}: hidden_act ${JSON.stringify(c.hidden_act)} is not supported; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  if (c.position_embedding_type !== 'absolute') {
    throw new ModelFolderError(`${file}: position_embedding_type ${JSON.stringify(c.position_embedding_type)} is not supported; Attune implements absolute position embeddings`);
  }
  if (c.hidden_size % c.num_attention_heads !== 0) {
    throw new ModelFolderError(`${file}: hidden_size (${c.hidden_size}) is not divisible by num_attention_heads (${c.num_attention_heads})`);
  }
  const padTokenId = c.pad_token_id ?? (family === 'bert' ? 0 : 1);
  const dtype = c.torch_dtype ?? c.dtype ?? null;
  if (dtype !== null && dtype !== 'float32' && dtype !== 'float16' && dtype !== 'bfloat16') {
    throw new ModelFolderError(`${file}: torch_dtype ${JSON.stringify(dtype)} is not supported; expected float32, float16 or bfloat16`);
  }
  if (family !== 'bert' && padTokenId + 1 + 1 > c.max_position_embeddings) {
    throw new ModelFolderError(`${file}: max_position_embeddings ${c.max_position_embeddings} leaves no positions after padding_idx ${padTokenId}`);
  }
  return {
    kind: 'encoder',
    architecture: expected,
    encoder: {
      family: family!,
      hiddenSize: c.hidden_size,
      numLayers: c.num_hidden_layers,
      numHeads: c.num_attention_heads,
      headDim: c.hidden_size / c.num_attention_heads,
      intermediateSize: c.intermediate_size,
      vocabSize: c.vocab_size,
      maxPositions: c.max_position_embeddings,
      typeVocabSize: c.type_vocab_size,
      layerNormEps: c.layer_norm_eps,
      activation,
      padTokenId,
      torchDtype: dtype,
    },
    raw,
    ...labels,
  };
}

/** As transformers: `id2label` decides the count when present (it must agree with `num_labels`); regression when one label and no problem type. */
function parseLabels(c: z.output<typeof labelsSchema>, file: string): Labels {
  let labels: string[];
  if (c.id2label) {
    const ids = Object.keys(c.id2label).map(Number);
    const n = ids.length;
    if (ids.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
      throw new ModelFolderError(`${file}: id2label keys ${JSON.stringify(Object.keys(c.id2label))} must be the class indices 0..${n - 1}`);
    }
    labels = Array.from({ length: n }, (_, i) => c.id2label![String(i)]!);
    if (c.num_labels !== undefined && c.num_labels !== n) {
      throw new ModelFolderError(`${file}: num_labels is ${c.num_labels} but id2label names ${n} labels`, 'make them agree (transformers takes id2label)');
    }
  } else {
    const n = c.num_labels ?? 2;
    labels = Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  const problemType = c.problem_type ?? (labels.length === 1 ? 'regression' : 'single_label_classification');
  return { numLabels: labels.length, labels, problemType };
}
