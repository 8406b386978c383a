/**
 * Tiny sequence-classifier folders with seeded random weights, made by the tests: BERT with a
 * hand-written WordPiece tokenizer, RoBERTa / XLM-R with a byte-level BPE (bytes only, a few
 * merges) and RobertaProcessing, and a Qwen2 `score` classifier with the embedded tokenizer.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xoshiro128 } from '../../../core/base/rng.js';
import { parseClassifierConfig } from '../../../core/model/classifier/classifier-config.js';
import { encoderTensorNames } from '../../../core/model/classifier/encoder-weights.js';
import { parseDecoderConfig } from '../../../core/model/folder/config.js';
import { expectedTensors } from '../../../core/model/folder/expected-tensors.js';
import type { ExpectedTensor } from '../../../core/model/folder/expected-tensors.js';
import { resolveModelFolder } from '../../../core/model/folder/resolve.js';
import { writeSafetensors } from '../../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../../core/model/safetensors/writer.js';
import { bytesToUnicode } from '../../../core/model/tokenizer/bpe/byte-level.js';
import { tinyLlamaConfig } from './random-folder.js';

export const BERT_WORDS = ['i', 'feel', 'so', 'alone', 'lately', 'that', 'sounds', 'hard', 'you', 'are', 'not', 'my', 'friend', 'moved', 'away', 'sad', '.', ',', '?', '!', '##s', '##ly', '##ed'];
const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

export function bertConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 24,
    hidden_act: 'gelu',
    max_position_embeddings: 64,
    type_vocab_size: 2,
    vocab_size: BERT_SPECIALS.length + BERT_WORDS.length,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    id2label: { 0: 'negative', 1: 'neutral', 2: 'positive' },
    label2id: { negative: 0, neutral: 1, positive: 2 },
    ...extra,
  };
}

const ROBERTA_MERGES: [string, string][] = [
  ['Ġ', 'f'],
  ['e', 'e'],
  ['Ġf', 'ee'],
  ['Ġfee', 'l'],
];
const ROBERTA_SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];

export function robertaConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['RobertaForSequenceClassification'],
    model_type: 'roberta',
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 20,
    hidden_act: 'gelu',
    max_position_embeddings: 66,
    type_vocab_size: 1,
    vocab_size: ROBERTA_SPECIALS.length + 256 + ROBERTA_MERGES.length,
    layer_norm_eps: 1e-5,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
    num_labels: 1,
    ...extra,
  };
}

/** The decoder tests' tiny config as a Qwen2 `score` classifier (no LM head, two labels). */
export function qwen2ClassifierConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return tinyLlamaConfig({
    architectures: ['Qwen2ForSequenceClassification'],
    model_type: 'qwen2',
    rms_norm_eps: 1e-6,
    pad_token_id: 3069,
    id2label: { 0: 'low', 1: 'high' },
    ...extra,
  });
}

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

function bertTokenizer(): { json: unknown; config: unknown } {
  const vocab = Object.fromEntries([...BERT_SPECIALS, ...BERT_WORDS].map((t, i) => [t, i]));
  const tok = (id: string, type: number) => ({ SpecialToken: { id, type_id: type } });
  const seq = (id: string, type: number) => ({ Sequence: { id, type_id: type } });
  return {
    json: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: BERT_SPECIALS.map((t, i) => special(i, t)),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0)],
        pair: [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0), seq('B', 1), tok('[SEP]', 1)],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    },
    config: { tokenizer_class: 'BertTokenizer', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]', do_lower_case: true, model_max_length: 64 },
  };
}

function robertaTokenizer(): { json: unknown; config: unknown } {
  const tokens = [...ROBERTA_SPECIALS, ...bytesToUnicode(), ...ROBERTA_MERGES.map(([a, b]) => a + b)];
  return {
    json: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: ROBERTA_SPECIALS.map((t, i) => special(i, t)),
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
        merges: ROBERTA_MERGES.map(([a, b]) => `${a} ${b}`),
      },
    },
    config: { tokenizer_class: 'RobertaTokenizer', bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', model_max_length: 64 },
  };
}

export interface ClassifierFolderOptions {
  readonly seed?: number;
  /** Drop or change tensors before writing. */
  readonly edit?: (tensors: Record<string, TensorToWrite>) => void;
}

function expectedFor(rawConfig: Record<string, unknown>): ExpectedTensor[] {
  const config = parseClassifierConfig(rawConfig, 'config.json');
  if (config.kind === 'encoder') return encoderTensorNames(config.encoder, config.numLabels);
  return [...expectedTensors(parseDecoderConfig(rawConfig, 'config.json', 'sequence-classification')), { name: 'score.weight', shape: [config.numLabels, config.decoder.hiddenSize] }];
}

/** Writes config.json, model.safetensors and the tokenizer files; norms near 1, weights scaled by fan-in. */
export async function writeClassifierFolder(rawConfig: Record<string, unknown>, options: ClassifierFolderOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'attune-classifier-'));
  const rng = Xoshiro128.fromSeed(options.seed ?? 7);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of expectedFor(rawConfig)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const isNorm = /(LayerNorm|norm)\.weight$/.test(name);
    const spread = isNorm ? 0.2 : name.endsWith('.bias') ? 0.3 : 1.6 / Math.sqrt(shape[shape.length - 1] as number);
    for (let i = 0; i < n; i++) values[i] = (isNorm ? 1 : 0) + (2 * rng.nextFloat() - 1) * spread;
    tensors[name] = { dtype: 'F32', shape, data: values };
  }
  options.edit?.(tensors);
  await writeFile(join(dir, 'config.json'), JSON.stringify(rawConfig));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
  const family = rawConfig.model_type;
  if (family === 'bert' || family === 'roberta' || family === 'xlm-roberta') {
    const { json, config } = family === 'bert' ? bertTokenizer() : robertaTokenizer();
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  } else {
    const embedded = resolveModelFolder('attune-tiny-qwen2');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(embedded, f), join(dir, f));
  }
  return dir;
}
