/**
 * DatasetSource `annomi-pairs`: AnnoMI as preference pairs — a therapist turn of a high-quality
 * MI session chosen over a comparable turn of a low-quality one (`annomiPreferencePairs`, whose
 * comment states the method and its limits: the pairs approximate "same prompt, two replies").
 * Reads what `annomi` reads (its options apply), every therapist turn of both qualities.
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import type { DatasetSource } from 'attune';
import { annomiPreferencePairs } from 'attune/data';
import { annomiOptions, createAnnomiSource } from '../annomi/index.js';

export const annomiPairsOptions = annomiOptions.omit({ turns: true, quality: true }).extend({
  minSimilarity: z.number().min(0).max(1).default(0.1).describe('smallest word overlap (Jaccard) of the two client turns being answered'),
  minReplyWords: z.number().int().min(0).default(4).describe('replies with fewer words are never paired'),
  maxUsesPerChosen: z.number().int().positive().default(1).describe('pairs one high-quality turn may be chosen in'),
  sameBehaviour: z.boolean().default(false).describe('pair only turns of the same therapist behaviour (question, reflection …)'),
  pairSeed: z.number().int().default(0).describe('seed of tie-breaking between equally similar candidates'),
});

export const annomiPairsSource = defineItem({
  description: 'AnnoMI preference pairs: a high-quality MI therapist turn over a low-quality one answering a similar client turn (preference)',
  options: annomiPairsOptions,
  async create(options, env): Promise<DatasetSource> {
    const turns = await createAnnomiSource({ ...options, turns: 'every', quality: 'all' }, env);
    return {
      splits: turns.splits,
      async load(request) {
        const { limit, ...all } = request;
        const loaded = await turns.load(all);
        const pairs = annomiPreferencePairs(loaded.examples, {
          minSimilarity: options.minSimilarity,
          minReplyWords: options.minReplyWords,
          maxUsesPerChosen: options.maxUsesPerChosen,
          sameBehaviour: options.sameBehaviour,
          seed: options.pairSeed,
        });
        return { ...loaded, examples: limit === undefined ? pairs : pairs.slice(0, limit) };
      },
    };
  },
});
