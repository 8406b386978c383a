/** Item `trainers/sft`: the config schema paired with its trainer class. */
import { resolve } from 'node:path';
import { defineItem } from 'attune';
import type { Trainer } from 'attune';
import { loadCurriculumFile } from 'attune/data';
import type { SamplingPlan } from 'attune/train';
import { sftTrainerOptions } from './config.js';
import { SftTrainer } from './trainer.js';
import type { SftStageInput } from './trainer.js';

export const sftTrainer = defineItem({
  kind: 'sft',
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
