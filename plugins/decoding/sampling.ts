/**
 * DecodingPolicy `sampling`: the conversation (with an optional system prompt) sampled once with
 * the given settings; the reply is the generated text. The plain policy other policies wrap.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineItem, PluginError } from 'attune';
import type { DecodingPolicy, GenerationParams, Message } from 'attune';

export const samplingParamOptions = {
  maxNewTokens: z.number().int().positive().default(256).describe('tokens per reply'),
  temperature: z.number().min(0).optional().describe("0: greedy; absent: the model's generation_config"),
  topP: z.number().gt(0).max(1).optional().describe('nucleus sampling mass'),
  topK: z.number().int().min(0).optional().describe('keep the k most likely tokens (0: all)'),
  repetitionPenalty: z.number().positive().optional().describe('penalize tokens already in the text (1: off)'),
  stop: z.array(z.string().min(1)).optional().describe('stop when the reply contains one of these'),
};

type SamplingParamOptions = { maxNewTokens: number; temperature?: number | undefined; topP?: number | undefined; topK?: number | undefined; repetitionPenalty?: number | undefined; stop?: string[] | undefined };

export function paramsOf(o: SamplingParamOptions): GenerationParams {
  const params: GenerationParams = { maxNewTokens: o.maxNewTokens };
  if (o.temperature !== undefined) params.temperature = o.temperature;
  if (o.topP !== undefined) params.topP = o.topP;
  if (o.topK !== undefined) params.topK = o.topK;
  if (o.repetitionPenalty !== undefined) params.repetitionPenalty = o.repetitionPenalty;
  if (o.stop !== undefined) params.stop = o.stop;
  return params;
}

/** The conversation with `system` as its only system message. */
export function withSystemPrompt(conversation: readonly Message[], system: string): Message[] {
  const rest = conversation.filter((m) => m.role !== 'system');
  return [{ role: 'system', content: system }, ...rest];
}

/** A system prompt given inline or as a file relative to the config; undefined when neither is set. */
export function readSystemPrompt(item: string, o: { systemPrompt?: string | undefined; systemPromptFile?: string | undefined }, baseDir: string, fallbackFile?: string): string | undefined {
  if (o.systemPrompt !== undefined) return o.systemPrompt;
  const file = o.systemPromptFile !== undefined ? resolve(baseDir, o.systemPromptFile) : fallbackFile;
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new PluginError(`${item}: cannot read the system prompt ${file}: ${(error as Error).message}`, 'point systemPromptFile at a text file (relative to the config)');
  }
}

export const samplingPolicy = defineItem({
  description: 'one sampled reply to the conversation (optional system prompt); the plain policy others wrap',
  options: z.strictObject({
    ...samplingParamOptions,
    systemPrompt: z.string().min(1).optional().describe('a system message put before the conversation (replacing its own)'),
    systemPromptFile: z.string().optional().describe('the system message from a file (relative to the config)'),
  }),
  create: (o, env): DecodingPolicy => {
    const system = readSystemPrompt('decoding/sampling', o, env.baseDir);
    const prompt = (conversation: readonly Message[]): Message[] => (system === undefined ? [...conversation] : withSystemPrompt(conversation, system));
    const params = paramsOf(o);
    return {
      prompt,
      respond: async (conversations, generator) => {
        const prompts = conversations.map(prompt);
        const results = await generator.generate(prompts, { params });
        return results.map((r, i) => ({ reply: r.text.trim(), trace: [{ purpose: `sampling (${r.finishReason})`, prompt: prompts[i]!, output: r.text }] }));
      },
    };
  },
});
