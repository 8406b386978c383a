/**
 * Texts and text pairs to classifier inputs with the model's own tokenizer: segments are tokenized
 * without special tokens, truncated `longest_first` (one token at a time from the longer segment,
 * the second on a tie, as transformers does), then framed as each family's tokenizer frames them:
 *   BERT     [CLS] A [SEP]            | [CLS] A [SEP] B [SEP]        token types 0… then 1 for B [SEP]
 *   RoBERTa  <s> A </s>               | <s> A </s></s> B </s>        token types all 0 (XLM-R alike)
 *   decoder  A (the tokenizer's own special tokens) | A B             token types unused
 * A test checks the framing against the tokenizer's post-processor on inputs that need no truncation.
 *
 * A decoder whose config.json says `"attune_pair_format": "chat"` reads a pair as a conversation
 * instead, as TRL's reward models do: the chat template renders A as the user turn and B as the
 * assistant's reply, and the segments are truncated longest-first inside that frame.
 */
import type { ModelTokenizer } from '../tokenizer/model-tokenizer.js';
import { ModelFolderError } from '../folder/errors.js';
import type { ClassifierConfig } from './classifier-config.js';

export interface ClassifierInput {
  readonly text: string;
  /** Second segment of a pair (cross-encoders: the candidate answer). */
  readonly pair?: string;
}

export interface EncodedInput {
  readonly ids: number[];
  readonly typeIds: number[];
  /** Tokens dropped by truncation. */
  readonly truncated: number;
}

export interface FramingTokens {
  readonly cls: number;
  readonly sep: number;
}

/** The [CLS]/[SEP] (or <s>/</s>) ids of an encoder's tokenizer; `declared` are tokenizer_config's cls_token/sep_token. */
export function framingTokens(tokenizer: ModelTokenizer, config: ClassifierConfig, declared: { cls?: string; sep?: string }): FramingTokens | null {
  if (config.kind !== 'encoder') return null;
  const bert = config.encoder.family === 'bert';
  const names = { cls: declared.cls ?? (bert ? '[CLS]' : '<s>'), sep: declared.sep ?? (bert ? '[SEP]' : '</s>') };
  const cls = tokenizer.tokenToId(names.cls);
  const sep = tokenizer.tokenToId(names.sep);
  if (cls === undefined || sep === undefined) {
    throw new ModelFolderError(`${tokenizer.dir}: the tokenizer has no ${cls === undefined ? names.cls : names.sep} token, which ${config.architecture} inputs start or end with`, 'the tokenizer files do not belong to this model');
  }
  return { cls, sep };
}

/** Cut `a` and `b` to at most `budget` tokens together, longest first. */
export function truncateLongestFirst(a: readonly number[], b: readonly number[], budget: number): [number[], number[]] {
  let n1 = a.length;
  let n2 = b.length;
  const excess = n1 + n2 - Math.max(budget, 0);
  if (excess > 0) {
    // Removing one at a time from the longer (the second on ties) first levels them, then alternates.
    const gap = Math.abs(n1 - n2);
    const fromLonger = Math.min(excess, gap);
    if (n1 > n2) n1 -= fromLonger;
    else n2 -= fromLonger;
    const rest = excess - fromLonger;
    n2 -= Math.ceil(rest / 2);
    n1 -= Math.floor(rest / 2);
  }
  return [a.slice(0, Math.max(n1, 0)), b.slice(0, Math.max(n2, 0))];
}

/** Marks where the segments go in a rendered chat template; no tokenizer or template produces it. */
const SLOT = '\u0000attune-slot\u0000';

/** The chat frame's three token runs per tokenizer: rendered once, not for every pair scored. */
const chatFrames = new WeakMap<ModelTokenizer, number[][]>();

/** The template's own text before the user turn, between it and the reply, and after the reply. */
function chatFrame(tokenizer: ModelTokenizer): number[][] {
  const cached = chatFrames.get(tokenizer);
  if (cached) return cached;
  const rendered = tokenizer.renderChat(
    [
      { role: 'user', content: SLOT },
      { role: 'assistant', content: SLOT },
    ],
    { addGenerationPrompt: false },
  );
  const pieces = rendered.split(SLOT);
  if (pieces.length !== 3) throw new ModelFolderError(`${tokenizer.dir}: the chat template does not render a user turn and an assistant reply as given`, 'attune_pair_format "chat" needs a template that places each message\'s content once');
  const frame = pieces.map((p) => tokenizer.encode(p, { addSpecialTokens: false }));
  chatFrames.set(tokenizer, frame);
  return frame;
}

/**
 * A pair as a two-turn conversation: the template's own text around the user turn (A) and the
 * reply (B), each piece tokenized on its own so truncation only ever cuts A or B.
 */
function encodeChatPair(tokenizer: ModelTokenizer, text: string, pair: string, maxLength: number): EncodedInput {
  const frame = chatFrame(tokenizer);
  const first = tokenizer.encode(text, { addSpecialTokens: false });
  const second = tokenizer.encode(pair, { addSpecialTokens: false });
  const budget = maxLength - frame.reduce((n, p) => n + p.length, 0);
  const [a, b] = truncateLongestFirst(first, second, budget);
  const ids = [...frame[0]!, ...a, ...frame[1]!, ...b, ...frame[2]!];
  return { ids, typeIds: ids.map(() => 0), truncated: first.length + second.length - a.length - b.length };
}

export function encodeClassifierInput(tokenizer: ModelTokenizer, config: ClassifierConfig, framing: FramingTokens | null, input: ClassifierInput, maxLength: number): EncodedInput {
  const hasPair = input.pair !== undefined;
  if (config.kind === 'decoder' && config.pairFormat === 'chat' && hasPair) return encodeChatPair(tokenizer, input.text, input.pair!, maxLength);
  if (config.kind === 'decoder' || !framing) {
    const first = tokenizer.encode(input.text);
    const second = hasPair ? tokenizer.encode(input.pair!, { addSpecialTokens: false }) : [];
    const [a, b] = truncateLongestFirst(first, second, maxLength);
    const ids = [...a, ...b];
    return { ids, typeIds: ids.map(() => 0), truncated: first.length + second.length - ids.length };
  }
  const first = tokenizer.encode(input.text, { addSpecialTokens: false });
  const second = hasPair ? tokenizer.encode(input.pair!, { addSpecialTokens: false }) : [];
  const bert = config.encoder.family === 'bert';
  const specials = hasPair ? (bert ? 3 : 4) : 2;
  const [a, b] = truncateLongestFirst(first, second, maxLength - specials);
  const { cls, sep } = framing;
  const head = [cls, ...a, sep];
  const tail = hasPair ? (bert ? [...b, sep] : [sep, ...b, sep]) : [];
  const ids = [...head, ...tail];
  const typeIds = bert ? [...head.map(() => 0), ...tail.map(() => 1)] : ids.map(() => 0);
  return { ids, typeIds, truncated: first.length + second.length - a.length - b.length };
}
