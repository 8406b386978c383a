/** Item `trainers/sft`: the config schema paired with its trainer class. */
import { resolve } from 'node:path';
import { defineItem } from '../../../core/kernel/index.js';
import type { Trainer } from '../../../core/kernel/index.js';
import { loadCurriculumFile } from '../../../core/data/sampling/curriculum-config.js';
import type { SamplingPlan } from '../../../core/train/sampler.js';
import { sftTrainerOptions } from './config.js';
import { SftTrainer } from './trainer.js';
import type { SftStageInput } from './trainer.js';

export const sftTrainer = defineItem({
  description: 'supervised fine-tuning with weighted objectives, accumulation, evaluation, checkpoints and exact resume',
  options: sftTrainerOptions,
  create: (options, env): Trainer<SftStageInput> => {
    const s = options.sampling;
    let plan: SamplingPlan;
    if (s.kind === 'mixture') plan = { kind: 'mixture', alpha: s.alpha, ...(s.weights ? { weights: s.weights } : {}) };
    else {
      const file = resolve(env.baseDir, s.file);
      plan = { kind: 'curriculum', config: loadCurriculumFile(file), origin: file };
    }
    return new SftTrainer(options, plan);
  },
});
export { SftTrainer } from './trainer.js';
export type { SftStageInput } from './trainer.js';
export { sftTrainerOptions } from './config.js';
export type { SftTrainerOptions } from './config.js';
