/**
 * Recipe `evaluate`: evaluators on a base model and any number of adapters or runs on it, each
 * answering through a decoding policy (its own, or the recipe's), side by side. Reads top to
 * bottom: open the model, build the policies and evaluators, find each subject's adapter,
 * evaluate, write the exports and figures under evaluation/, write the report.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineRecipe, RecipeError } from 'attune';
import type { DecodingPolicy } from 'attune';
import { findRunAdapter, openModelFolder } from 'attune/model';
import { writeRunReport } from 'attune/train';
import type { EvaluationTarget } from 'attune/train';
import { evaluateInRun } from './stages.js';

export const evaluate = defineRecipe({
  description: 'evaluators (EQ-Bench, red-team, NLG, counselling, heads) on a base model and its adapters side by side, with a report',
  stages: [{ name: 'evaluate', description: 'every evaluator on every subject, then the report' }],
  defaultConfig: 'configs/evaluate/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('base model: model folder or embedded model'),
      policy: items.ref('decoding').prefault('decoding/sampling').describe('the decoding policy subjects answer through unless they name their own'),
      subjects: z
        .array(
          z
            .strictObject({
              name: z.string().min(1).describe('how the report names it'),
              adapter: z.string().optional().describe('a PEFT adapter folder'),
              run: z.string().optional().describe("a training run's folder (its final adapter)"),
              policy: items.ref('decoding').optional().describe("this subject's own decoding policy"),
            })
            .refine((s) => !(s.adapter && s.run), { message: 'give adapter or run, not both' }),
        )
        .min(1)
        .default([{ name: 'base' }])
        .describe('what is evaluated: the base (no adapter), adapters, runs'),
      evaluators: z.array(items.ref('evaluators')).min(1).describe('the evaluators (evaluators/eq-bench, red-team, nlg, counselling, classification)'),
    }),
  run: async (config, run) => {
    const model = await openModelFolder(config.model);
    const names = config.subjects.map((s) => s.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated) throw new RecipeError(`evaluate: two subjects are named '${repeated}'`, 'give each subject its own name');
    const policies: DecodingPolicy[] = [];
    try {
      const shared = await run.create(config.policy);
      policies.push(shared);
      const targets: EvaluationTarget[] = [];
      for (const s of config.subjects) {
        const policy = s.policy ? await run.create(s.policy) : shared;
        if (s.policy) policies.push(policy);
        const adapterDir = s.run ? findRunAdapter(s.run).adapterDir : s.adapter ? resolve(s.adapter) : undefined;
        targets.push({ name: s.name, policy, ...(adapterDir ? { adapterDir } : {}) });
      }
      const results = await evaluateInRun(run, model, targets, config.evaluators);
      const report = await writeRunReport(run.runDir);
      run.log(`report: ${report.html}`);
      return { metrics: Object.fromEntries(results.flatMap((r) => Object.entries(r.report.metrics).map(([k, v]) => [`${r.subject}/${k}`, v]))) };
    } finally {
      for (const p of policies) await p.dispose?.();
    }
  },
});
