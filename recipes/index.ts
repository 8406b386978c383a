/**
 * The built-in recipes, registered by a plugin like any other: a third-party plugin can add
 * recipes the same way.
 */
import { definePlugin } from 'attune';
import { dataReport } from './data-report.js';
import { dpo } from './dpo.js';
import { evaluate } from './evaluate.js';
import { grpoEmpathy } from './grpo-empathy.js';
import { pipeline } from './pipeline.js';
import { rewardModel } from './reward-model.js';
import { sftMultiobjective } from './sft-multiobjective.js';
import { therapyCurriculum, therapySequential } from './therapy.js';

export const builtinRecipes = definePlugin({
  name: 'recipes',
  version: '0.1.0',
  requires: { sources: '^0.1.0', objectives: '^0.1.0', trainers: '^0.1.0', rewards: '^0.1.0', decoding: '^0.1.0', evaluators: '^0.1.0' },
  register(ctx) {
    ctx.recipes.register('data-report', dataReport);
    ctx.recipes.register('sft-multiobjective', sftMultiobjective);
    ctx.recipes.register('reward-model', rewardModel);
    ctx.recipes.register('grpo-empathy', grpoEmpathy);
    ctx.recipes.register('dpo', dpo);
    ctx.recipes.register('therapy-sequential', therapySequential);
    ctx.recipes.register('therapy-curriculum', therapyCurriculum);
    ctx.recipes.register('evaluate', evaluate);
    ctx.recipes.register('pipeline', pipeline);
  },
});
