/**
 * DecodingPolicy `xml-reasoning`: the system prompt (a file in `prompts/`, or the config's own
 * text) asks for `<reasoning>…</reasoning><answer>…</answer>`; the reply a user sees is the
 * answer only, the reasoning goes to the trace. `parse` is the one extractor rollout trainers and
 * rewards use, with the fallbacks of parse.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { assetPath, defineItem, PluginError } from 'attune';
import type { DecodingPolicy, Message } from 'attune';
import { parseXmlReply } from './parse.js';

export const DEFAULT_XML_PROMPT = assetPath(import.meta.url, '../../../prompts/xml-reasoning.txt');

const options = z.strictObject({
  systemPromptFile: z.string().optional().describe('file with the system prompt (relative to the config); default prompts/xml-reasoning.txt'),
  systemPrompt: z.string().min(1).optional().describe('the system prompt itself (instead of a file)'),
  maxNewTokens: z.number().int().positive().default(256).describe('tokens per reply when serving'),
});

export function withSystemPrompt(conversation: readonly Message[], system: string): Message[] {
  const rest = conversation.filter((m) => m.role !== 'system');
  return [{ role: 'system', content: system }, ...rest];
}

export const xmlReasoningPolicy = defineItem({
  description: 'asks for <reasoning>…</reasoning><answer>…</answer>; users see the answer, rewards score it, the reasoning goes to the trace',
  options,
  create: (o, env): DecodingPolicy => {
    let system = o.systemPrompt;
    if (system === undefined) {
      const file = o.systemPromptFile ? resolve(env.baseDir, o.systemPromptFile) : DEFAULT_XML_PROMPT;
      try {
        system = readFileSync(file, 'utf8').trim();
      } catch (error) {
        throw new PluginError(`decoding/xml-reasoning: cannot read the system prompt ${file}: ${(error as Error).message}`, 'point systemPromptFile at a text file (relative to the config)');
      }
    }
    const prompt = (conversation: readonly Message[]): Message[] => withSystemPrompt(conversation, system);
    return {
      prompt,
      parse: (text) => {
        const parsed = parseXmlReply(text);
        return { answer: parsed.answer, status: parsed.status };
      },
      respond: async (conversations, generator) => {
        const prompts = conversations.map(prompt);
        const results = await generator.generate(prompts, { params: { maxNewTokens: o.maxNewTokens } });
        return results.map((r, i) => {
          const parsed = parseXmlReply(r.text);
          return { reply: parsed.shown, trace: [{ purpose: `xml-reasoning (${parsed.status})`, prompt: prompts[i] as Message[], output: r.text }] };
        });
      },
    };
  },
});
