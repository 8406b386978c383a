/**
 * `rewards/empathy`: a classifier or regressor judges the reply (optionally with the user turn
 * it answers as the first segment). A classifier's score is the probability mass of the
 * configured labels (softmax, or per-label sigmoid for multi-label models); a regressor's output
 * is mapped linearly from `range` onto [0, 1] and clipped.
 */
import { z } from 'zod';
import { PluginError, defineItem } from 'attune';
import type { Reward } from 'attune';
import { activate } from 'attune/model';
import { lastUserContent } from 'attune/data';
import { classifierOptions, openRewardClassifier, scoreRows } from './classifier-reward.js';
import type { RewardRow } from './classifier-reward.js';
import { missingAnswerOption, replyOf } from './reply.js';

const options = z
  .strictObject({
    ...classifierOptions,
    input: z.enum(['reply', 'user-turn-and-reply']).default('reply').describe('classify the reply alone, or (user turn, reply) as a pair'),
    labels: z.array(z.string().min(1)).min(1).optional().describe('classifiers: the labels whose probability mass is the score'),
    range: z.tuple([z.number(), z.number()]).optional().describe('regressors: the output values that map to 0 and to 1'),
    missingAnswer: missingAnswerOption,
  })
  .refine((o) => !o.range || o.range[0] !== o.range[1], { message: 'range must span a non-empty interval', path: ['range'] });

export const empathyReward = defineItem({
  description: 'empathy of the reply by a classifier (mass of chosen labels) or a regressor (output mapped from a range to [0, 1])',
  options,
  create: async (o, env): Promise<Reward> => {
    const classifier = await openRewardClassifier(o, env.baseDir);
    const fail = async (message: string, hint: string): Promise<never> => {
      await classifier.release();
      throw new PluginError(`rewards/empathy: ${message}`, hint);
    };
    const names = classifier.labels;
    let toScore: (logits: number[]) => number;
    if (classifier.problemType === 'regression') {
      if (!o.range) return fail(`${classifier.folder.dir} is a regressor; say which outputs mean "not empathic" and "empathic"`, 'set range: [low, high], e.g. [1, 5] for WASSA empathy scores');
      const [lo, hi] = o.range;
      toScore = ([value]) => Math.min(1, Math.max(0, ((value as number) - lo) / (hi - lo)));
    } else {
      if (!o.labels) return fail(`${classifier.folder.dir} is a classifier; say which labels count as empathic`, `set labels: [...] from ${names.join(', ')}`);
      const unknown = o.labels.filter((l) => !names.includes(l));
      if (unknown.length > 0) return fail(`labels ${unknown.join(', ')} are not labels of ${classifier.folder.dir} (it has ${names.join(', ')})`, 'name labels from its config.json id2label');
      const picked = o.labels.map((l) => names.indexOf(l));
      const activation = classifier.problemType === 'multi_label_classification' ? 'sigmoid' : 'softmax';
      toScore = (logits) => {
        const p = activate(logits, activation);
        return Math.min(1, picked.reduce((s, k) => s + (p[k] as number), 0));
      };
    }
    return {
      score: (batch) => {
        const rows: RewardRow[] = batch.completions.map((completion, i) => {
          const reply = replyOf(completion, o.missingAnswer);
          if ('score' in reply) return { fixed: reply.score };
          if (o.input === 'reply') return { input: { text: reply.text } };
          const user = lastUserContent(batch.prompts[i] ?? []);
          return user === undefined ? { fixed: null } : { input: { text: user, pair: reply.text } };
        });
        return scoreRows(classifier, rows, toScore);
      },
      dispose: () => classifier.release(),
    };
  },
});
