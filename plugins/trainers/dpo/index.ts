/** Item `trainers/dpo`: the config schema paired with its trainer class. */
import { defineItem } from 'attune';
import type { Trainer } from 'attune';
import { dpoTrainerOptions } from './config.js';
import { DpoTrainer } from './trainer.js';
import type { DpoStageInput } from './trainer.js';

export const dpoTrainer = defineItem({
  kind: 'preference',
  description: 'DPO on chosen/rejected pairs against the model as the stage began (TRL semantics; reference log-probs live or precomputed)',
  options: dpoTrainerOptions,
  create: (options): Trainer<DpoStageInput> => new DpoTrainer(options),
});
export { DpoTrainer } from './trainer.js';
export type { DpoStageInput } from './trainer.js';
export { dpoTrainerOptions } from './config.js';
export type { DpoTrainerOptions } from './config.js';
