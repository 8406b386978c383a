/** The built-in evaluators, as an ordinary plugin: items are `evaluators/<name>`. */
import { definePlugin } from 'attune';
import { classificationEvaluator } from './classification/index.js';
import { counsellingEvaluator } from './counselling/index.js';
import { eqBenchEvaluator } from './eq-bench/index.js';
import { llmJudgeEvaluator } from './llm-judge/index.js';
import { nlgEvaluator } from './nlg/index.js';
import { redTeamEvaluator } from './red-team/index.js';

export const evaluatorsPlugin = definePlugin({
  name: 'evaluators',
  version: '0.1.0',
  register(ctx) {
    ctx.evaluators.register('eq-bench', eqBenchEvaluator);
    ctx.evaluators.register('red-team', redTeamEvaluator);
    ctx.evaluators.register('nlg', nlgEvaluator);
    ctx.evaluators.register('classification', classificationEvaluator);
    ctx.evaluators.register('counselling', counsellingEvaluator);
    ctx.evaluators.register('llm-judge', llmJudgeEvaluator);
  },
});
