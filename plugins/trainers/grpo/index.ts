/** Item `trainers/grpo`: the config schema paired with its trainer class. */
import { defineItem } from 'attune';
import type { Trainer } from 'attune';
import { grpoTrainerOptions } from './config.js';
import { GrpoTrainer } from './trainer.js';
import type { GrpoStageInput } from './trainer.js';

export const grpoTrainer = defineItem({
  kind: 'rollout',
  description: 'GRPO: G sampled completions per prompt from the current adapter, rewards → group advantages, clipped policy updates (TRL semantics)',
  options: grpoTrainerOptions,
  create: (options): Trainer<GrpoStageInput> => new GrpoTrainer(options),
});
export { GrpoTrainer } from './trainer.js';
export type { GrpoStageInput } from './trainer.js';
export { grpoTrainerOptions } from './config.js';
export type { GrpoTrainerOptions } from './config.js';
