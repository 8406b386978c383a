/**
 * A model's tokenizer and chat template behind a small, typed surface. Wraps a transformers.js
 * tokenizer built from local JSON; nothing here can reach the network.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Message } from '../../data/example.js';
import { TokenizerError } from './errors.js';

export interface SpecialToken {
  token: string;
  id: number;
}

export interface RenderOptions {
  /** End with the header that opens an assistant turn (for generation and prompt pooling). */
  addGenerationPrompt: boolean;
}

export class ModelTokenizer {
  readonly bos: SpecialToken | null;
  readonly eos: SpecialToken | null;
  readonly pad: SpecialToken | null;
  /** Ids of every token the tokenizer marks special (`<|im_start|>`, `<|im_end|>` …). */
  readonly specialIds: ReadonlySet<number>;
  /** One past the highest token id (added tokens included); must not exceed the model's vocab_size. */
  readonly idLimit: number;

  constructor(
    /** The folder the tokenizer files came from, for error messages. */
    readonly dir: string,
    private readonly inner: PreTrainedTokenizer,
  ) {
    this.bos = special(inner.bos_token, inner.bos_token_id);
    this.eos = special(inner.eos_token, inner.eos_token_id);
    this.pad = special(inner.pad_token, inner.pad_token_id);
    this.specialIds = new Set(inner.all_special_ids);
    let max = -1;
    for (const id of inner.get_vocab().values()) max = Math.max(max, id);
    this.idLimit = max + 1;
  }

  get hasChatTemplate(): boolean {
    return this.inner.chat_template !== null && this.inner.chat_template !== undefined;
  }

  /** Text to ids. `addSpecialTokens` applies the tokenizer's post-processor (e.g. a BOS for Llama). */
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true });
  }

  /**
   * A text or text pair through the tokenizer's own post-processor (its [CLS]/[SEP] template and
   * token types), untruncated. Classifiers frame truncated inputs themselves and are checked against this.
   */
  encodeWithPostProcessor(text: string, pair?: string): { ids: number[]; typeIds: number[] } {
    const encoded = (this.inner as unknown as { _encode_plus(t: string, o: object): { input_ids: number[]; token_type_ids?: number[] } })._encode_plus(text, {
      text_pair: pair ?? null,
      add_special_tokens: true,
      return_token_type_ids: true,
    });
    return { ids: [...encoded.input_ids], typeIds: encoded.token_type_ids ? [...encoded.token_type_ids] : encoded.input_ids.map(() => 0) };
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    const id = this.inner.convert_tokens_to_ids(token) as number | undefined | null;
    return id === null || id === undefined ? undefined : id;
  }

  /** The chat template rendered to text, as `apply_chat_template(..., tokenize=False)` would. */
  renderChat(messages: readonly Message[], options: RenderOptions): string {
    if (!this.hasChatTemplate) {
      throw new TokenizerError(
        `${this.dir}: the tokenizer has no chat template (no "chat_template" in tokenizer_config.json and no chat_template.jinja)`,
        'use an instruct/chat checkpoint, or add a chat_template to tokenizer_config.json',
      );
    }
    try {
      return this.inner.apply_chat_template(
        messages.map((m) => ({ role: m.role, content: m.content })),
        { tokenize: false, add_generation_prompt: options.addGenerationPrompt },
      );
    } catch (error) {
      throw new TokenizerError(`${this.dir}: the chat template failed to render ${messages.length} messages: ${(error as Error).message}`);
    }
  }

  /** Rendered chat to ids; the template already carries its special tokens, so none are added. */
  encodeChat(messages: readonly Message[], options: RenderOptions): number[] {
    return this.encode(this.renderChat(messages, options), { addSpecialTokens: false });
  }
}

function special(token: string | null | undefined, id: number | null | undefined): SpecialToken | null {
  if (token === null || token === undefined || id === null || id === undefined) return null;
  return { token, id };
}
