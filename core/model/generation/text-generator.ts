/**
 * The kernel's TextGenerator over one model (with or without its adapter): conversations are
 * rendered with the model's chat template, generated in batches, and only the new text returned.
 */
import type { Message } from '../../data/example.js';
import type { GenerationParams, TextGenerator } from '../../kernel/extension-points/decoding-policy.js';
import { AttuneError } from '../../base/errors.js';
import type { GenerationConfig } from '../folder/generation-config.js';
import { generateTokens } from './generate.js';
import type { GeneratedRow, TokenEvent } from './generate.js';
import type { InferenceModel } from './inference-model.js';
import type { SamplingSettings } from './logits-processing.js';

export interface SamplingRequest {
  /** 0 means greedy; absent: the model's generation_config (do_sample, temperature), else greedy. */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
}

/**
 * Settings as Hugging Face resolves them: explicit values, then the model's generation_config,
 * then transformers' defaults (top_k 50, top_p 1, repetition_penalty 1, greedy unless do_sample).
 */
export function resolveSampling(request: SamplingRequest, defaults: GenerationConfig | null): SamplingSettings {
  const temperature = request.temperature ?? (defaults?.doSample ? (defaults.temperature ?? 1) : 0);
  return {
    doSample: temperature > 0,
    temperature: temperature > 0 ? temperature : 1,
    topK: request.topK ?? defaults?.topK ?? 50,
    topP: request.topP ?? defaults?.topP ?? 1,
    repetitionPenalty: request.repetitionPenalty ?? defaults?.repetitionPenalty ?? 1,
  };
}

export interface ModelTextGeneratorOptions {
  /** Apply the model's adapter (default true); false answers as the base model. */
  readonly useAdapter?: boolean;
  /** Conversations per batch (default 8). */
  readonly batchSize?: number;
  /** Streamed text; `row` is the conversation's index in the call. */
  readonly onToken?: (event: TokenEvent) => void;
}

export class ModelTextGenerator implements TextGenerator {
  constructor(
    readonly model: InferenceModel,
    private readonly options: ModelTextGeneratorOptions = {},
  ) {}

  /** Token ids of a conversation rendered for a reply (chat template with the assistant header). */
  encodeConversation(conversation: readonly Message[], index = 0): number[] {
    if (conversation.length === 0) throw new AttuneError(`generation: conversation ${index} has no messages`, 'give at least one user message');
    return this.model.folder.tokenizer.encodeChat(conversation, { addGenerationPrompt: true });
  }

  async generate(conversations: Message[][], params: GenerationParams): Promise<string[]> {
    const prompts = conversations.map((c, i) => this.encodeConversation(c, i));
    return (await this.generateFromIds(prompts, params)).map((r) => r.text);
  }

  /** Generation from token ids (e.g. raw text encoded without a template), full results. */
  async generateFromIds(prompts: readonly (readonly number[])[], params: GenerationParams): Promise<GeneratedRow[]> {
    const size = this.options.batchSize ?? 8;
    if (!Number.isInteger(size) || size < 1) throw new AttuneError(`generation: batch size must be a positive integer, got ${size}`);
    const sampling = resolveSampling(params, this.model.folder.generation);
    const out: GeneratedRow[] = [];
    for (let start = 0; start < prompts.length; start += size) {
      const onToken = this.options.onToken;
      const rows = await generateTokens(this.model, prompts.slice(start, start + size), {
        maxNewTokens: params.maxNewTokens,
        sampling,
        ...(params.stop ? { stopStrings: params.stop } : {}),
        // Each batch gets its own stream, derived from the seed, so results do not depend on batch size only through order.
        ...(params.seed !== undefined ? { seed: params.seed + start } : {}),
        useAdapter: this.options.useAdapter ?? true,
        ...(onToken ? { onToken: (e: TokenEvent) => onToken({ ...e, row: e.row + start }) } : {}),
      });
      out.push(...rows);
    }
    return out;
  }
}
