/**
 * DatasetSource `counselchat-pairs`: CounselChat as preference pairs — for each question, an
 * answer with more upvotes is chosen over one with fewer (`counselChatPreferencePairs`: no ties,
 * at most `maxPairsPerQuestion` per question, never across splits). Reads what `counselchat`
 * reads (its options apply), every answer of every question.
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import type { DatasetSource } from 'attune';
import { counselChatPreferencePairs } from 'attune/data';
import { counselChatOptions, createCounselChatSource } from '../counselchat/index.js';

export const counselChatPairsOptions = counselChatOptions.omit({ answers: true }).extend({
  minMargin: z.number().int().min(1).default(1).describe('smallest upvote difference that makes a pair'),
  maxPairsPerQuestion: z.number().int().min(0).default(3).describe('most pairs one question contributes (0: all), chosen by a seeded hash of the pair'),
  pairSeed: z.number().int().default(0).describe('seed of the per-question pair choice'),
});

export const counselChatPairsSource = defineItem({
  description: 'CounselChat preference pairs: the more upvoted answer to a question over a less upvoted one (preference)',
  options: counselChatPairsOptions,
  async create(options, env): Promise<DatasetSource> {
    const answers = await createCounselChatSource({ ...options, answers: 'all' }, env);
    return {
      splits: answers.splits,
      async load(request) {
        const { limit, ...all } = request;
        const loaded = await answers.load(all);
        const pairs = counselChatPreferencePairs(loaded.examples, { minMargin: options.minMargin, maxPairsPerQuestion: options.maxPairsPerQuestion, seed: options.pairSeed });
        return { ...loaded, examples: limit === undefined ? pairs : pairs.slice(0, limit) };
      },
    };
  },
});
