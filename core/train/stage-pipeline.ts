/**
 * The stages of a multi-stage recipe, run one after another. Each stage writes its outputs under
 * `<stage>/final` and they are handed to the next. A stage that already completed in this run
 * directory — before the run was interrupted and resumed, or in the run `--from-stage` copied it
 * from — is not trained again: its recorded outputs are handed on instead.
 */
import { join, resolve } from 'node:path';
import type { RunContext } from '../kernel/runs/run-context.js';
import type { TrainerResult } from '../kernel/extension-points/trainer.js';
import { readStageRecord, writeStageRecord } from '../kernel/runs/stage-record.js';

export interface StageOutcome extends TrainerResult {
  readonly stage: string;
  /** True when the stage had completed earlier and was not run again. */
  readonly reused: boolean;
}

export class StagePipeline {
  private readonly outcomes: StageOutcome[] = [];

  constructor(private readonly run: RunContext) {}

  /**
   * Runs `stage` (or reuses its completed outputs). `train` gets the directory, relative to the run
   * directory, where the stage's final artifacts belong.
   */
  async stage(stage: string, train: (finalDir: string) => Promise<TrainerResult>): Promise<StageOutcome> {
    const record = readStageRecord(this.run.runDir, stage);
    let outcome: StageOutcome;
    if (record) {
      const artifactsDir = record.artifactsDir === undefined ? undefined : resolve(this.run.runDir, record.artifactsDir);
      this.run.log(`${stage}: completed earlier (${record.steps} steps, ${record.completedAt}); reusing ${artifactsDir ?? 'its record'}`);
      outcome = { stage, reused: true, steps: record.steps, metrics: record.metrics, interrupted: false, ...(artifactsDir ? { artifactsDir } : {}) };
    } else {
      const result = await train(join(stage, 'final'));
      // Recorded only once every output is in place: an interrupted stage resumes from its checkpoint.
      if (!result.interrupted) await writeStageRecord(this.run.runDir, stage, result);
      outcome = { stage, reused: false, ...result };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Every stage's final metrics under its name (`dpo/eval_rewards/accuracies`), and the steps each ran. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.outcomes) {
      out[`${o.stage}/steps`] = o.steps;
      for (const [k, v] of Object.entries(o.metrics)) out[`${o.stage}/${k}`] = v;
    }
    return out;
  }
}
