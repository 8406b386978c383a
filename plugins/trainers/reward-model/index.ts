/** Item `trainers/reward-model`: the config schema paired with its trainer class. */
import { defineItem } from 'attune';
import type { Trainer } from 'attune';
import { rewardTrainerOptions } from './config.js';
import { RewardModelTrainer } from './trainer.js';
import type { RewardStageInput } from './trainer.js';

export const rewardModelTrainer = defineItem({
  kind: 'sft',
  description: 'reward models: decoder + LoRA + score head trained with mse, bce, ce or Bradley–Terry; exports a …ForSequenceClassification folder',
  options: rewardTrainerOptions,
  create: (options): Trainer<RewardStageInput> => new RewardModelTrainer(options),
});
export { RewardModelTrainer, CLASSIFIER_DIR } from './trainer.js';
export type { RewardStageInput } from './trainer.js';
export { rewardTrainerOptions } from './config.js';
export type { RewardTrainerOptions } from './config.js';
