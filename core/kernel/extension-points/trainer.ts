/**
 * Extension point: Trainer — runs one training stage (SFT, DPO, GRPO) inside a run: it
 * owns the step loop, checkpoints and resume for its stage, and reports through events.
 *
 * The recipe hands it the stage input (model, data, objectives …); the run context gives
 * the run directory, the event bus, the seed, the abort signal and the checkpoint store.
 */
import type { RunContext } from '../runs/run-context.js';

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
  train(input: StageInput, run: RunContext): Promise<TrainerResult>;
}
