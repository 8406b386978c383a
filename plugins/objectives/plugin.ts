/** The built-in objectives (SFT terms, the DPO losses and the GRPO policy loss), as an ordinary plugin: items are `objectives/<name>`. */
import { definePlugin } from 'attune';
import { dpoObjective } from './dpo.js';
import { emotionHeadObjective } from './emotion-head.js';
import { grpoObjective } from './grpo.js';
import { lmObjective } from './lm.js';
import { safetyKlObjective } from './safety-kl.js';
import { strategyHeadObjective } from './strategy-head.js';

export const objectivesPlugin = definePlugin({
  name: 'objectives',
  version: '0.1.0',
  register(ctx) {
    ctx.objectives.register('lm', lmObjective);
    ctx.objectives.register('emotion-head', emotionHeadObjective);
    ctx.objectives.register('strategy-head', strategyHeadObjective);
    ctx.objectives.register('safety-kl', safetyKlObjective);
    ctx.objectives.register('dpo', dpoObjective);
    ctx.objectives.register('grpo', grpoObjective);
  },
});
