/**
 * Writes a trained byte-level BPE as a Hugging Face `tokenizer.json` laid out like Qwen2's:
 * NFC normalizer, Qwen2 split + ByteLevel pre-tokenizer, ByteLevel decoder, special tokens appended
 * after the BPE vocabulary.
 */
import { QWEN2_SPLIT_PATTERN } from './pretokenize.js';
import type { TrainedBpe } from './train-bpe.js';

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export function specialTokenEntries(bpe: TrainedBpe, specials: readonly string[]): AddedTokenJson[] {
  return specials.map((content, i) => ({
    id: bpe.tokens.length + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

export function buildTokenizerJson(bpe: TrainedBpe, specials: readonly string[]): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokenEntries(bpe, specials),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: QWEN2_SPLIT_PATTERN }, behavior: 'Isolated', invert: false }, byteLevel],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(bpe.tokens.map((t, i) => [t, i])),
      merges: bpe.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
