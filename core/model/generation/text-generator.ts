/**
 * The kernel's TextGenerator over one model (with or without its adapter): conversations are
 * rendered with the model's chat template, generated in batches, and the new text returned with
 * its token ids, log-probabilities and finish reason.
 */
import type { Message } from '../../data/example.js';
import type { GenerationParams, GenerationRequest, GenerationResult, HeadReading, TextGenerator } from '../../kernel/extension-points/decoding-policy.js';
import { predictHeads } from './adapter-heads.js';
import { AttuneError } from '../../base/errors.js';
import type { GenerationConfig } from '../folder/generation-config.js';
import { generateTokens } from './generate.js';
import type { GeneratedRow, RowOptions, TokenEvent } from './generate.js';
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
  /** Streamed tokens and text of every call; `row` is the conversation's index in the call. */
  readonly onToken?: (event: TokenEvent) => void;
}

/** `params` with the fields a row sets (absent or undefined fields keep the shared value). */
function rowParams(params: GenerationParams, own: Partial<GenerationParams> | undefined): GenerationParams {
  if (!own) return params;
  const merged: GenerationParams = { ...params };
  for (const [key, value] of Object.entries(own)) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  return merged;
}

export class ModelTextGenerator implements TextGenerator {
  constructor(
    readonly model: InferenceModel,
    private readonly options: ModelTextGeneratorOptions = {},
  ) {}

  /** Labels of the adapter's classification heads (none when answering as the base model). */
  get headLabels(): readonly string[] {
    return (this.options.useAdapter ?? true) ? this.model.heads.map((h) => h.label) : [];
  }

  async readHeads(conversations: Message[][]): Promise<Record<string, HeadReading>[]> {
    if (this.headLabels.length === 0) return conversations.map(() => ({}));
    const prompts = conversations.map((c, i) => this.encodeConversation(c, i));
    const size = this.options.batchSize ?? 8;
    const out: Record<string, HeadReading>[] = [];
    for (let start = 0; start < prompts.length; start += size) {
      const readings = await predictHeads(this.model, prompts.slice(start, start + size), this.model.heads);
      out.push(...readings.map((r) => Object.fromEntries(r.map((p, k) => [this.model.heads[k]!.label, p]))));
    }
    return out;
  }

  /** Token ids of a conversation rendered for a reply (chat template with the assistant header). */
  encodeConversation(conversation: readonly Message[], index = 0): number[] {
    if (conversation.length === 0) throw new AttuneError(`generation: conversation ${index} has no messages`, 'give at least one user message');
    return this.model.folder.tokenizer.encodeChat(conversation, { addGenerationPrompt: true });
  }

  async generate(conversations: Message[][], request: GenerationRequest): Promise<GenerationResult[]> {
    const prompts = conversations.map((c, i) => this.encodeConversation(c, i));
    return (await this.generateFromIds(prompts, request)).map((r) => ({
      text: r.text,
      tokenIds: r.tokens,
      logProbs: r.logProbs,
      finishReason: r.finishReason,
      ...(r.stop !== undefined ? { stop: r.stop } : {}),
      promptTokens: r.promptTokens,
    }));
  }

  /** Generation from token ids (e.g. raw text encoded without a template), full results. */
  async generateFromIds(prompts: readonly (readonly number[])[], request: GenerationRequest): Promise<GeneratedRow[]> {
    const size = this.options.batchSize ?? 8;
    if (!Number.isInteger(size) || size < 1) throw new AttuneError(`generation: batch size must be a positive integer, got ${size}`);
    const { params, perRow, signal, onText } = request;
    if (perRow && perRow.length > prompts.length) throw new AttuneError(`generation: ${perRow.length} per-row settings for ${prompts.length} conversations`, 'give at most one per conversation');
    const defaults = this.model.folder.generation;
    const sampling = resolveSampling(params, defaults);
    const rowOptions = (own: Partial<GenerationParams> | undefined): RowOptions | undefined => {
      if (!own) return undefined;
      const p = rowParams(params, own);
      return {
        sampling: resolveSampling(p, defaults),
        maxNewTokens: p.maxNewTokens,
        stopStrings: p.stop ?? [],
        ...(own.seed !== undefined ? { seed: own.seed } : {}),
      };
    };
    const out: GeneratedRow[] = [];
    for (let start = 0; start < prompts.length; start += size) {
      const batch = prompts.slice(start, start + size);
      const onToken = this.options.onToken;
      // What onText has shown of each row, to release what the stream held back when it ended early.
      const shown = batch.map(() => 0);
      const rows = await generateTokens(this.model, batch, {
        maxNewTokens: params.maxNewTokens,
        sampling,
        ...(params.stop ? { stopStrings: params.stop } : {}),
        // Each batch gets its own stream, derived from the seed, so results do not depend on batch size only through order.
        ...(params.seed !== undefined ? { seed: params.seed + start } : {}),
        ...(perRow ? { rows: batch.map((_, j) => rowOptions(perRow[start + j])) } : {}),
        ...(signal ? { signal } : {}),
        useAdapter: this.options.useAdapter ?? true,
        ...(onToken || onText
          ? {
              onToken: (e: TokenEvent) => {
                onToken?.({ ...e, row: e.row + start });
                if (onText && e.text !== '') {
                  shown[e.row] = (shown[e.row] as number) + e.text.length;
                  onText(e.row + start, e.text);
                }
              },
            }
          : {}),
      });
      if (onText) rows.forEach((r, j) => r.text.length > (shown[j] as number) && onText(start + j, r.text.slice(shown[j])));
      out.push(...rows);
    }
    return out;
  }
}
