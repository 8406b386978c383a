/**
 * DecodingPolicy `xml-reasoning`: the system prompt (a file in `prompts/`, or the config's own
 * text) asks for `<reasoning>…</reasoning><answer>…</answer>`; the reply a user sees is the
 * answer only, the reasoning goes to the trace. `parse` is the one extractor rollout trainers and
 * rewards use, with the fallbacks of parse.ts.
 */
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DecodingPolicy, Message } from 'attune';
import { readSystemPrompt, withSystemPrompt } from '../sampling.js';
import { parseXmlReply } from './parse.js';

export { withSystemPrompt };

export const DEFAULT_XML_PROMPT = assetPath(import.meta.url, '../../../prompts/xml-reasoning.txt');

const options = z.strictObject({
  systemPromptFile: z.string().optional().describe('file with the system prompt (relative to the config); default prompts/xml-reasoning.txt'),
  systemPrompt: z.string().min(1).optional().describe('the system prompt itself (instead of a file)'),
  maxNewTokens: z.number().int().positive().default(256).describe('tokens per reply when serving'),
});

export const xmlReasoningPolicy = defineItem({
  description: 'asks for <reasoning>…</reasoning><answer>…</answer>; users see the answer, rewards score it, the reasoning goes to the trace',
  options,
  create: (o, env): DecodingPolicy => {
    const system = readSystemPrompt('decoding/xml-reasoning', o, env.baseDir, DEFAULT_XML_PROMPT)!;
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
