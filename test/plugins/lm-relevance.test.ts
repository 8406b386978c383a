/**
 * rewards/lm-relevance: the score is sigmoid(PMI / T) with PMI computed from the LM's own token
 * log-probs of the reply after the user's turn and after an empty turn (checked against a direct
 * computation from the rendered conversations), a reply about the user's turn beats an off-topic
 * one on the embedded model, and prompts without a user turn or completions without an answer
 * follow the shared rules.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message, RewardBatch, RewardCompletion } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { InferenceModel, tokenLogProbs } from '../../core/model/generation/index.js';
import { builtinPlugins } from '../../plugins/index.js';

const kernel = await new Kernel().load({ builtins: builtinPlugins });
const env = { baseDir: process.cwd(), warn: () => {} };
const user: Message[] = [{ role: 'user', content: 'My dog died yesterday and I cannot stop crying.' }];
const completion = (text: string, extra: Partial<RewardCompletion> = {}): RewardCompletion => ({ text, tokenIds: [], ...extra });
const batch = (completions: RewardCompletion[], prompts: Message[][] = completions.map(() => user)): RewardBatch => ({ prompts, completions, examples: [], groups: completions.map(() => 0) });

describe('rewards/lm-relevance', () => {
  test('sigmoid(PMI / T) from the reply tokens after the user turn and after an empty one', async () => {
    const reward = await kernel.create({ kind: 'rewards', use: 'rewards/lm-relevance', options: { model: 'attune-tiny-qwen2', temperature: 0.3 } }, env);
    const model = await InferenceModel.open('attune-tiny-qwen2');
    try {
      const reply = 'I am so sorry about your dog.';
      const [score] = await reward.score(batch([completion(reply)]));
      const tok = model.folder.tokenizer;
      const mean = async (turn: string): Promise<number> => {
        const start = tok.encodeChat([{ role: 'user', content: turn }], { addGenerationPrompt: true }).length;
        const ids = tok.encodeChat([{ role: 'user', content: turn }, { role: 'assistant', content: reply }], { addGenerationPrompt: false });
        const [lp] = await tokenLogProbs(model, [ids]);
        const tail = Array.from(lp!.subarray(start));
        return tail.reduce((a, b) => a + b, 0) / tail.length;
      };
      const pmi = (await mean(user[0]!.content)) - (await mean(''));
      assert.ok(Math.abs((score as number) - 1 / (1 + Math.exp(-pmi / 0.3))) < 1e-6, `score ${score}, PMI ${pmi}`);
      const [none, missing] = await reward.score(batch([completion(reply), completion('x', { answer: null })], [[{ role: 'system', content: 'no user here' }], user]));
      assert.equal(none, null, 'no user turn: not applicable');
      assert.equal(missing, 0, 'no answer: 0 by default');
      // A reply starting with a space or newline merges with the header's last token: still scored (a GRPO run once stopped here).
      const edge = await reward.score(batch([completion(' my sad day'), completion('\n\nok'), completion('')]));
      assert.ok(edge.every((v) => typeof v === 'number' && v > 0 && v < 1), `scores ${edge.join(', ')}`);
    } finally {
      await reward.dispose?.();
      await model.release();
    }
  });

  test('on the embedded small model, a reply about the turn beats an off-topic one', async () => {
    const reward = await kernel.create({ kind: 'rewards', use: 'rewards/lm-relevance', options: {} }, env);
    try {
      const [onTopic, offTopic] = (await reward.score(batch([completion("I'm so sorry about your dog. Losing a pet you loved hurts so much."), completion('The stock market went up today and taxes are due in April.')]))) as number[];
      assert.ok(onTopic! > offTopic! + 0.1, `on topic ${onTopic}, off topic ${offTopic}`);
    } finally {
      await reward.dispose?.();
    }
  });
});
