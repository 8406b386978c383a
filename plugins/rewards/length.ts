/**
 * `rewards/length`: a target band with DAPO's soft overlong punishment. With L the completion
 * length, the score is the sum of
 *   a shortness ramp  min(1, L / min)           (1 everywhere when min = 0), and
 *   DAPO's R_length   0                          for L ≤ max − buffer
 *                     ((max − buffer) − L)/buffer for max − buffer < L ≤ max
 *                     −1                         for L > max,
 * so it is 1 inside [min, max − buffer], falls to 0 at max and to 0 at L = 0.
 */
import { z } from 'zod';
import { PluginError, defineItem } from 'attune';
import type { Reward } from 'attune';
import { missingAnswerOption, replyOf } from './reply.js';

const options = z
  .strictObject({
    unit: z.enum(['tokens', 'words']).default('tokens').describe('count completion tokens, or whitespace-separated words'),
    of: z.enum(['completion', 'answer']).default('completion').describe("the whole completion, or the decoding policy's extracted answer"),
    min: z.number().int().min(0).default(0).describe('below this length the score ramps down linearly to 0'),
    max: z.number().int().positive().describe('L_max: longer completions score −1 from the overlong term'),
    buffer: z.number().int().min(0).default(0).describe('L_cache: the overlong penalty ramps from 0 to −1 over the last `buffer` units before max'),
    missingAnswer: missingAnswerOption,
  })
  .refine((o) => !(o.unit === 'tokens' && o.of === 'answer'), { message: "token counts are of whole completions; count the answer with unit: 'words'", path: ['of'] })
  .refine((o) => o.buffer <= o.max, { message: 'buffer must not exceed max', path: ['buffer'] })
  .refine((o) => o.min <= o.max - o.buffer, { message: 'min must not exceed max − buffer (the band would be empty)', path: ['min'] });

export function lengthScore(length: number, o: { min: number; max: number; buffer: number }): number {
  const short = o.min === 0 ? 1 : Math.min(1, length / o.min);
  const start = o.max - o.buffer;
  const overlong = length <= start ? 0 : length <= o.max ? (start - length) / o.buffer : -1;
  return short + overlong;
}

export const lengthReward = defineItem({
  description: 'rewards lengths inside a target band, with a soft overlong penalty (DAPO)',
  options,
  create: (o): Reward => ({
    score: ({ completions }) =>
      completions.map((c) => {
        if (o.of === 'completion' && o.unit === 'tokens' && c.tokenIds.length === 0 && c.text.trim() !== '') {
          throw new PluginError('rewards/length counts tokens, but a completion has text and no token ids', "give the policy's tokenizer (attune score --model <folder>), or set unit: 'words'");
        }
        if (o.of === 'completion') return lengthScore(o.unit === 'tokens' ? c.tokenIds.length : words(c.text), o);
        const reply = replyOf(c, o.missingAnswer);
        if ('score' in reply) return reply.score;
        return lengthScore(words(reply.text), o);
      }),
  }),
});

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;
