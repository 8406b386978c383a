/** The built-in rewards, as an ordinary plugin: items are `rewards/<name>`. */
import { definePlugin } from 'attune';
import { empathyReward } from './empathy.js';
import { lengthReward } from './length.js';
import { lmRelevanceReward } from './lm-relevance.js';
import { semanticSimilarityReward } from './semantic-similarity.js';
import { xmlFormatReward } from './xml-format.js';

export const rewardsPlugin = definePlugin({
  name: 'rewards',
  version: '0.1.0',
  register(ctx) {
    ctx.rewards.register('semantic-similarity', semanticSimilarityReward);
    ctx.rewards.register('empathy', empathyReward);
    ctx.rewards.register('xml-format', xmlFormatReward);
    ctx.rewards.register('length', lengthReward);
    ctx.rewards.register('lm-relevance', lmRelevanceReward);
  },
});
