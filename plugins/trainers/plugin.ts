/** The built-in trainers, as an ordinary plugin: items are `trainers/<name>`. */
import { definePlugin } from 'attune';
import { dpoTrainer } from './dpo/index.js';
import { grpoTrainer } from './grpo/index.js';
import { rewardModelTrainer } from './reward-model/index.js';
import { sftTrainer } from './sft/index.js';

export const trainersPlugin = definePlugin({
  name: 'trainers',
  version: '0.1.0',
  register(ctx) {
    ctx.trainers.register('sft', sftTrainer);
    ctx.trainers.register('reward-model', rewardModelTrainer);
    ctx.trainers.register('dpo', dpoTrainer);
    ctx.trainers.register('grpo', grpoTrainer);
  },
});
