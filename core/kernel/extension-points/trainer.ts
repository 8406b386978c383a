/**
 * Extension point: Trainer — runs one training stage (SFT, DPO, GRPO) inside a run. The shared
 * stage loop (`attune/train`) owns optimizer, schedule, accumulation, clipping, resume,
 * checkpoints, evaluation cadence and Ctrl-C; a trainer supplies what is its own (how a step's
 * batches are drawn and run). The recipe hands it the stage input; the run context gives the
 * run directory, events, seed, abort signal, checkpoints and the stage's place in the run.
 */
import type { RunContext } from '../runs/run-context.js';
import type { TrainingKind } from './training-kind.js';

export interface TrainerResult {
  /** Steps completed in this stage (equal to the plan unless interrupted). */
  steps: number;
  /** Final metrics of the stage (last training losses, last evaluation). */
  metrics: Record<string, number>;
  /** Where the stage's final artifacts (adapter, heads) were written, if any. */
  artifactsDir?: string;
  interrupted: boolean;
}

export interface Trainer<StageInput = unknown> {
  readonly kind: TrainingKind;
  train(input: StageInput, run: RunContext): Promise<TrainerResult>;
}
