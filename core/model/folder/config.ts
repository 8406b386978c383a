/**
 * `config.json` of a decoder-only Llama-family model, validated and normalized into the facts the
 * engine needs. Unknown keys are kept in `raw` so a saved model round-trips its config.
 */
import { z } from 'zod';
import { ModelFolderError } from './errors.js';
import { parseWith } from './json-file.js';
import { parseRopeScaling } from './rope.js';
import type { RopeScaling } from './rope.js';

export const SUPPORTED_ARCHITECTURES = ['llama', 'qwen2', 'mistral'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

const CAUSAL_LM_CLASS: Record<Architecture, string> = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  mistral: 'MistralForCausalLM',
};

export type WeightDtype = 'float32' | 'float16' | 'bfloat16';

/** The head on top of the decoder stack: `lm_head` (causal LM) or a `score` classifier. */
export type DecoderHead = 'causal-lm' | 'sequence-classification';

const CLASSIFIER_CLASS: Record<Architecture, string> = {
  llama: 'LlamaForSequenceClassification',
  qwen2: 'Qwen2ForSequenceClassification',
  mistral: 'MistralForSequenceClassification',
};

export interface DecoderConfig {
  architecture: Architecture;
  head: DecoderHead;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  maxPositionEmbeddings: number;
  vocabSize: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (always for qwen2; `attention_bias` for llama). */
  qkvBias: boolean;
  /** o_proj carries a bias (llama with `attention_bias`). */
  oProjBias: boolean;
  /** gate/up/down carry biases (llama with `mlp_bias`). */
  mlpBias: boolean;
  /** Sliding-window attention span when the model uses it, else null. */
  slidingWindow: number | null;
  /** Declared storage dtype (`torch_dtype`, or `dtype` in newer exports); null when absent. */
  torchDtype: WeightDtype | null;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  /** The file as read, for writing it back unchanged. */
  raw: Record<string, unknown>;
}

const positiveInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative().nullable().optional();

const rawConfigSchema = z
  .object({
    model_type: z.string(),
    architectures: z.array(z.string()).optional(),
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt.nullable().optional(),
    head_dim: positiveInt.nullable().optional(),
    hidden_act: z.string().optional(),
    rms_norm_eps: z.number().positive(),
    rope_theta: z.number().positive().optional(),
    rope_scaling: z.unknown().optional(),
    rope_parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    max_position_embeddings: positiveInt,
    vocab_size: positiveInt,
    tie_word_embeddings: z.boolean().optional(),
    attention_bias: z.boolean().optional(),
    mlp_bias: z.boolean().optional(),
    use_sliding_window: z.boolean().optional(),
    sliding_window: positiveInt.nullable().optional(),
    torch_dtype: z.string().nullable().optional(),
    dtype: z.string().nullable().optional(),
    bos_token_id: tokenId,
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullable().optional(),
    pad_token_id: tokenId,
  })
  .loose();

export function parseDecoderConfig(value: unknown, file: string, head: DecoderHead = 'causal-lm'): DecoderConfig {
  const architecture = checkArchitecture(value, file, head);
  const c = parseWith(rawConfigSchema, value, file);
  if (c.hidden_act !== undefined && c.hidden_act !== 'silu') {
    throw new ModelFolderError(`${file}: hidden_act ${JSON.stringify(c.hidden_act)} is not supported; the engine implements SwiGLU with silu`);
  }
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new ModelFolderError(
      `${file}: num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${numKvHeads})`,
    );
  }
  if (!c.head_dim && c.hidden_size % c.num_attention_heads !== 0) {
    throw new ModelFolderError(
      `${file}: hidden_size (${c.hidden_size}) is not divisible by num_attention_heads (${c.num_attention_heads}) and no head_dim is given`,
    );
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (headDim % 2 !== 0) throw new ModelFolderError(`${file}: head_dim ${headDim} must be even for rotary embeddings`);
  const ropeParameters = c.rope_parameters ?? undefined;
  const ropeTheta = c.rope_theta ?? (typeof ropeParameters?.rope_theta === 'number' ? ropeParameters.rope_theta : 10000);
  const llamaBias = architecture === 'llama' && (c.attention_bias ?? false);
  const usesWindow = architecture === 'mistral' ? c.sliding_window != null : (c.use_sliding_window ?? false) && c.sliding_window != null;
  const eos = c.eos_token_id;
  return {
    architecture,
    head,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta,
    ropeScaling: parseRopeScaling(c.rope_scaling ?? ropeParameters, file),
    maxPositionEmbeddings: c.max_position_embeddings,
    vocabSize: c.vocab_size,
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    qkvBias: architecture === 'qwen2' || llamaBias,
    oProjBias: llamaBias,
    mlpBias: architecture === 'llama' && (c.mlp_bias ?? false),
    slidingWindow: usesWindow ? (c.sliding_window ?? null) : null,
    torchDtype: parseDtype(c.torch_dtype ?? c.dtype ?? null, file),
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos === null || eos === undefined ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? null,
    raw: { ...(value as Record<string, unknown>) },
  };
}

function checkArchitecture(value: unknown, file: string, head: DecoderHead): Architecture {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const modelType = record.model_type;
  if (typeof modelType !== 'string') {
    throw new ModelFolderError(`${file}: missing "model_type"; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`);
  }
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(modelType)) {
    throw new ModelFolderError(
      `${file}: model_type ${JSON.stringify(modelType)} is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
      'pick a Llama, Qwen2 or Mistral family checkpoint',
    );
  }
  const architecture = modelType as Architecture;
  const classes = record.architectures;
  const wanted = head === 'causal-lm' ? CAUSAL_LM_CLASS[architecture] : CLASSIFIER_CLASS[architecture];
  if (Array.isArray(classes) && classes.length > 0 && !classes.includes(wanted)) {
    throw new ModelFolderError(
      head === 'causal-lm'
        ? `${file}: architectures ${JSON.stringify(classes)} has no ${wanted}; Attune loads causal language models here`
        : `${file}: architectures ${JSON.stringify(classes)} has no ${wanted}`,
      head === 'causal-lm'
        ? 'use the base causal-LM checkpoint; sequence classifiers load through the classifier path (attune classify, reward plugins)'
        : 'a causal-LM checkpoint has no score head; train one with the reward-model recipe',
    );
  }
  return architecture;
}

function parseDtype(value: string | null, file: string): WeightDtype | null {
  if (value === null) return null;
  if (value === 'float32' || value === 'float16' || value === 'bfloat16') return value;
  throw new ModelFolderError(`${file}: torch_dtype ${JSON.stringify(value)} is not supported; expected float32, float16 or bfloat16`);
}
