/**
 * decoding/reflection: the plan parser's fallbacks, the two steps with a scripted generator (the
 * plan reaches step 2's system prompt and the trace, never the reply), and the plan read from an
 * adapter's heads when the generator has them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import type { GenerationResult, HeadReading, Message, TextGenerator } from '../../core/kernel/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { intensityFromCues, parsePlan, withoutPlanLines } from '../../plugins/decoding/reflection/plan.js';

const kernel = await new Kernel().load({ builtins: builtinPlugins });
const warnings: string[] = [];
const env = { baseDir: process.cwd(), warn: (m: string) => warnings.push(m) };

function scripted(reply: (c: Message[]) => string, heads?: Record<string, HeadReading>): TextGenerator & { prompts: Message[][] } {
  const prompts: Message[][] = [];
  return {
    prompts,
    generate: async (conversations) => {
      prompts.push(...conversations);
      return conversations.map((c): GenerationResult => ({ text: reply(c), tokenIds: [], logProbs: [], finishReason: 'eos', promptTokens: 0 }));
    },
    ...(heads ? { headLabels: Object.keys(heads), readHeads: async (cs: Message[][]) => cs.map(() => heads) } : {}),
  };
}

describe('reflection plan', () => {
  test('a generated plan is parsed line by line; each missing or unknown part takes a defined fallback', () => {
    const ok = parsePlan('Emotion: Sad\nIntensity: high\nStrategy: Affirmation and Reassurance\nStyle: warm, gentle', 'my dog died');
    assert.equal(ok.status, 'ok');
    assert.deepEqual({ ...ok.plan, sources: undefined }, { emotion: 'sad', intensity: 'high', strategy: 'Affirmation and Reassurance', style: ['warm', 'gentle'], sources: undefined });
    const partial = parsePlan('Emotion: lonely\nStrategy: something else', 'I am so alone, nobody calls, everything is awful!');
    assert.equal(partial.status, 'partial');
    assert.equal(partial.plan.strategy, 'Reflection of feelings');
    assert.equal(partial.plan.intensity, 'high', 'from the message: so, everything, !');
    assert.deepEqual(partial.plan.sources, { emotion: 'generated', intensity: 'cues', strategy: 'default', style: 'default' });
    assert.deepEqual(partial.plan.style, ['calm', 'validating', 'concise'], 'a negative emotion at high intensity');
    const none = parsePlan('I am here for you.', 'ok');
    assert.equal(none.status, 'unparsed');
    assert.equal(none.plan.emotion, 'unclear');
    assert.equal(intensityFromCues('fine'), 'low');
    assert.equal(withoutPlanLines('Emotion: sad\nThat sounds so hard.\nStrategy: Question'), 'That sounds so hard.');
  });
});

describe('decoding/reflection', () => {
  test('step 1 plans, step 2 replies with the plan in its system prompt; the plan is in the trace, never in the reply', async () => {
    const policy = await kernel.create({ kind: 'decoding', use: 'decoding/reflection', options: {} }, env);
    const gen = scripted((c) => (c.at(-1)!.content.startsWith('Before anyone replies') ? 'Emotion: grief\nIntensity: medium\nStrategy: Reflection of feelings\nStyle: warm, concise' : 'Emotion: grief\nThat sounds so painful.'));
    const conversation: Message[] = [{ role: 'system', content: 'old' }, { role: 'user', content: 'My cat died today.' }];
    const [reply] = await policy.respond([conversation], gen);
    assert.equal(reply!.reply, 'That sounds so painful.');
    assert.equal(reply!.trace[0]!.purpose, 'plan (generated, ok)');
    assert.equal(reply!.trace[1]!.purpose, 'reply (eos)');
    // The plan request follows the conversation as a user turn (without its system turn).
    assert.deepEqual(gen.prompts[0]!.slice(0, 1), [{ role: 'user', content: 'My cat died today.' }]);
    assert.match(gen.prompts[0]!.at(-1)!.content, /Strategy: <one of: Question, Restatement or Paraphrasing, .*>/);
    const system = gen.prompts[1]![0]!;
    assert.equal(system.role, 'system');
    assert.equal(system.content, 'You are a warm, careful listener. The person seems to feel grief (medium intensity).\nReply using this support strategy: Reflection of feelings. Be warm, concise.\nWrite only your reply to them.');
    assert.deepEqual(gen.prompts[1]!.slice(1), [{ role: 'user', content: 'My cat died today.' }]);
  });

  test("with heads, the plan comes from the adapter's emotion and strategy heads and no plan is generated", async () => {
    const policy = await kernel.create({ kind: 'decoding', use: 'decoding/reflection', options: {} }, env);
    const heads = { emotion: { label: 'sadness', probability: 0.7, probabilities: { sadness: 0.7, joy: 0.3 } }, strategy: { label: 'Question', probability: 0.6, probabilities: { Question: 0.6 } } };
    const gen = scripted(() => 'I am so sorry.', heads);
    const [reply] = await policy.respond([[{ role: 'user', content: 'My cat died today.' }]], gen);
    assert.equal(gen.prompts.length, 1, 'one call: the reply');
    assert.equal(reply!.trace[0]!.purpose, 'plan (heads)');
    assert.match(reply!.trace[0]!.output, /"emotion":"sadness".*"strategy":"Question"/);
    assert.match(gen.prompts[0]![0]!.content, /seems to feel sadness \(low intensity\).*strategy: Question\. Be warm, validating\./s);

    warnings.length = 0;
    const forced = await kernel.create({ kind: 'decoding', use: 'decoding/reflection', options: { plan: 'heads' } }, env);
    await forced.respond([[{ role: 'user', content: 'hi' }]], scripted(() => 'Emotion: calm'));
    assert.match(warnings.join(), /plan is "heads" but the model has no classification heads/);
    const generated = await kernel.create({ kind: 'decoding', use: 'decoding/reflection', options: { plan: 'generate' } }, env);
    const [g] = await generated.respond([[{ role: 'user', content: 'hi' }]], scripted(() => 'Emotion: calm', heads));
    assert.match(g!.trace[0]!.purpose, /^plan \(generated/);
  });
});
