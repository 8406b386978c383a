/**
 * `rewards/semantic-similarity`: a cross-encoder (num_labels 1, e.g. stsb-roberta) scores how
 * well a reply fits the user's last turn — or the example's reference reply — as
 * sigmoid(logit / T), T = 0.6 by default (the seed GRPO-Empathy's calibration).
 */
import { z } from 'zod';
import { PluginError, defineItem } from 'attune';
import type { Reward } from 'attune';
import { lastUserContent } from 'attune/data';
import { classifierOptions, openRewardClassifier, scoreRows } from './classifier-reward.js';
import type { RewardRow } from './classifier-reward.js';
import { missingAnswerOption, referenceReply, replyOf } from './reply.js';

const options = z.strictObject({
  ...classifierOptions,
  against: z.enum(['user-turn', 'reference']).default('user-turn').describe("pair the reply with the prompt's last user turn, or with the example's reference reply"),
  temperature: z.number().positive().default(0.6).describe('score = sigmoid(logit / temperature)'),
  missingAnswer: missingAnswerOption,
});

export const semanticSimilarityReward = defineItem({
  description: 'cross-encoder similarity of the reply to the user turn (or the reference reply): sigmoid(logit / T)',
  options,
  create: async (o, env): Promise<Reward> => {
    const classifier = await openRewardClassifier(o, env.baseDir);
    if (classifier.labels.length !== 1) {
      await classifier.release();
      throw new PluginError(`rewards/semantic-similarity: ${classifier.folder.dir} has ${classifier.labels.length} outputs (${classifier.labels.join(', ')}); a cross-encoder has one (num_labels 1)`, 'use rewards/empathy for a multi-class classifier');
    }
    return {
      score: (batch) => {
        const rows: RewardRow[] = batch.completions.map((completion, i) => {
          const reply = replyOf(completion, o.missingAnswer);
          if ('score' in reply) return { fixed: reply.score };
          const anchor = o.against === 'user-turn' ? lastUserContent(batch.prompts[i] ?? []) : referenceReply(batch.examples[i]);
          return anchor === undefined ? { fixed: null } : { input: { text: anchor, pair: reply.text } };
        });
        return scoreRows(classifier, rows, ([logit]) => 1 / (1 + Math.exp(-(logit as number) / o.temperature)));
      },
      dispose: () => classifier.release(),
    };
  },
});
