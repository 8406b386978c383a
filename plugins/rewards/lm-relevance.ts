/**
 * `rewards/lm-relevance`: how much the user's turn explains the reply, under a decoder LM —
 * pointwise mutual information per reply token,
 *   PMI = mean log p(reply | user turn) − mean log p(reply | an empty user turn),
 * both rendered with the model's chat template, score = sigmoid(PMI / T) — the
 * maximum-mutual-information idea against bland dialogue replies. It does not fully work that way:
 * a generic empathic reply ("I understand how you feel.") is unlikely after an empty turn and
 * likely after any emotional one, so it scores high (0.78–0.81 on the embedded small model, above
 * the on-topic replies). On held-out (turn, reply) pairs from ESConv, ED and CounselChat it reaches
 * AUC 0.595, where the trained attune-relevance-tiny reaches 0.661. Needs no training: any local
 * causal-LM folder works, the embedded model by default.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineItem, PluginError } from 'attune';
import type { Message, Reward } from 'attune';
import { InferenceModel, openModelFolder, tokenLogProbs } from 'attune/model';
import { lastUserContent } from 'attune/data';
import { missingAnswerOption, replyOf } from './reply.js';

const options = z.strictObject({
  model: z.string().min(1).default('attune-small-qwen2').describe('a causal-LM folder (or embedded model) whose chat template renders the turns'),
  adapter: z.string().optional().describe('a PEFT adapter on it'),
  temperature: z.number().positive().default(0.2).describe('score = sigmoid(PMI / temperature), PMI in nats per reply token (typically within ±0.5)'),
  maxLength: z.number().int().min(16).default(512).describe('tokens per rendered conversation (longer replies are cut)'),
  batchSize: z.number().int().positive().default(8).describe('conversations per forward pass'),
  missingAnswer: missingAnswerOption,
});

/**
 * Token ids of [user, assistant] and where the reply's tokens start: after the longest prefix
 * shared with the prompt and its generation header (a reply starting with a space or newline can
 * merge with the header's last token, so the boundary token then counts as the reply's).
 */
function rendered(model: InferenceModel, user: string, reply: string, maxLength: number): { ids: number[]; start: number } {
  const tokenizer = model.folder.tokenizer;
  const prompt: Message[] = [{ role: 'user', content: user }];
  const head = tokenizer.encodeChat(prompt, { addGenerationPrompt: true });
  const ids = tokenizer.encodeChat([...prompt, { role: 'assistant', content: reply }], { addGenerationPrompt: false });
  let start = 0;
  while (start < head.length && ids[start] === head[start]) start++;
  if (start < head.length - 1) {
    throw new PluginError(`rewards/lm-relevance: ${model.folder.dir}'s chat template does not render the reply after the prompt's generation header`, 'use a model whose template appends the assistant turn to the rendered prompt (Qwen2, Llama 3 and the embedded models do)');
  }
  return { ids: ids.slice(0, Math.max(maxLength, start + 1)), start: Math.min(start, ids.length - 1) };
}

const meanFrom = (values: Float64Array, start: number): number => {
  let sum = 0;
  for (let i = start; i < values.length; i++) sum += values[i] as number;
  return sum / Math.max(values.length - start, 1);
};

export const lmRelevanceReward = defineItem({
  description: 'pointwise mutual information of the reply with the user turn under a decoder LM: sigmoid(PMI / T)',
  options,
  create: async (o, env): Promise<Reward> => {
    // Relative paths are the config file's, as for every other model a config names.
    const folder = await openModelFolder(o.model, { baseDir: env.baseDir });
    const model = await InferenceModel.open(folder, o.adapter ? { adapter: resolve(env.baseDir, o.adapter) } : {});
    return {
      score: async (batch) => {
        const out: (number | null)[] = batch.completions.map(() => null);
        const wanted: { i: number; user: string; reply: string }[] = [];
        batch.completions.forEach((completion, i) => {
          const reply = replyOf(completion, o.missingAnswer);
          if ('score' in reply) {
            out[i] = reply.score;
            return;
          }
          const user = lastUserContent(batch.prompts[i] ?? []);
          if (user !== undefined) wanted.push({ i, user, reply: reply.text });
        });
        if (wanted.length === 0) return out;
        const pairs = wanted.flatMap((w) => [rendered(model, w.user, w.reply, o.maxLength), rendered(model, '', w.reply, o.maxLength)]);
        const logProbs = await tokenLogProbs(model, pairs.map((p) => p.ids), { batchSize: o.batchSize });
        wanted.forEach((w, k) => {
          const withTurn = pairs[2 * k]!;
          const without = pairs[2 * k + 1]!;
          const pmi = meanFrom(logProbs[2 * k]!, withTurn.start) - meanFrom(logProbs[2 * k + 1]!, without.start);
          out[w.i] = 1 / (1 + Math.exp(-pmi / o.temperature));
        });
        return out;
      },
      dispose: () => model.release(),
    };
  },
});
