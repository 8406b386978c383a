/**
 * Stages more than one recipe runs: an SFT stage on a block of sources, objectives and a trainer,
 * and an evaluation stage (the base and the tuned adapter through a decoding policy, every
 * evaluator on each, exports and figures under evaluation/).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Evaluator, ItemRef, ItemRefBuilder, RunContext, TrainerResult } from 'attune';
import type { LoraConfig, ModelFolder } from 'attune/model';
import { activeObjectives, checkTrainingBlock, evaluateTargets, loadSourceSplits, writeEvaluation } from 'attune/train';
import type { EvaluationResult, EvaluationTarget, SftObjective } from 'attune/train';
import type { SftStageInput } from '../plugins/trainers/sft/trainer.js';

export interface Base {
  readonly model: ModelFolder;
  readonly modelName: string;
  readonly lora: LoraConfig;
}

export const sftBlock = (items: ItemRefBuilder, what: string) =>
  z.strictObject({
    sources: z.array(items.ref('sources')).min(1).describe(`sources of ${what} (train split; the trainer's evalSplit is held out)`),
    objectives: z.array(items.ref('objectives')).min(1).describe('SFT loss terms (objectives/lm …)'),
    trainer: items.ref('trainers').describe('the trainer (trainers/sft)'),
  }).superRefine((block, ctx) => checkTrainingBlock(block, ctx));

export type SftBlock = z.output<ReturnType<typeof sftBlock>>;

export async function sftStage(run: RunContext, base: Base, stage: string, block: SftBlock, finalDir: string, startFrom?: string): Promise<TrainerResult> {
  const objectives = await activeObjectives<SftObjective>(run, block.objectives);
  const trainer = await run.create(block.trainer);
  const evalSplit = typeof block.trainer.options.evalSplit === 'string' ? block.trainer.options.evalSplit : 'validation';
  const data = await loadSourceSplits(run, block.sources, evalSplit);
  const input: SftStageInput = { stage, ...base, objectives, train: data.train, eval: data.eval, finalDir, ...(startFrom ? { startFrom } : {}) };
  return trainer.train(input, run);
}

export const evaluationBlock = (items: ItemRefBuilder) =>
  z.strictObject({
    policy: items.ref('decoding').prefault('decoding/sampling').describe('the decoding policy both subjects answer through'),
    evaluators: z.array(items.ref('evaluators')).min(1).describe('evaluators run on the base and the tuned adapter'),
    withBase: z.boolean().default(true).describe('evaluate the base model beside the tuned adapter'),
  });

export type EvaluationBlock = z.output<ReturnType<typeof evaluationBlock>>;

/** Every evaluator on every target; the results written under `<run>/evaluation`; the evaluators disposed. */
export async function evaluateInRun(run: RunContext, model: ModelFolder, targets: readonly EvaluationTarget[], refs: readonly ItemRef<'evaluators'>[]): Promise<EvaluationResult[]> {
  const evaluators: { use: string; evaluator: Evaluator }[] = [];
  try {
    for (const ref of refs) evaluators.push({ use: ref.use, evaluator: await run.create(ref) });
    const results = await evaluateTargets(model, targets, evaluators, (m) => run.log(`evaluate: ${m}`));
    await writeEvaluation(join(run.runDir, 'evaluation'), results);
    return results;
  } finally {
    for (const e of evaluators) await e.evaluator.dispose?.();
  }
}

/** The base (optionally) and the stage's adapter, every evaluator on each; results under `<run>/evaluation`. */
export async function evaluationStage(run: RunContext, base: Base, block: EvaluationBlock, adapterDir: string): Promise<TrainerResult> {
  const handle = run.stage('evaluate');
  handle.start();
  const policy = await run.create(block.policy);
  try {
    const targets: EvaluationTarget[] = [...(block.withBase ? [{ name: 'base', policy }] : []), { name: 'tuned', adapterDir: join(adapterDir, 'adapter'), policy }];
    const results = await evaluateInRun(run, base.model, targets, block.evaluators);
    // Stage records hold finite numbers: a metric that is undefined for a subject (NaN) stays in evaluation/metrics.json only.
    const metrics = Object.fromEntries(results.flatMap((r) => Object.entries(r.report.metrics).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => [`${r.subject}/${k}`, v])));
    handle.end(metrics, { interrupted: false });
    return { steps: 0, metrics, artifactsDir: join(run.runDir, 'evaluation'), interrupted: false };
  } finally {
    await policy.dispose?.();
  }
}
