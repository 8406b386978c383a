/**
 * evaluators/counselling: the MI tagger on hand-written utterances, its agreement with AnnoMI's
 * annotations on the shipped slice (measured: behaviour accuracy 0.64, κ 0.51 against a majority
 * baseline of 0.35), the MITI-style summary scores, and the evaluator with a scripted policy and
 * the embedded empathy regressor, rescoring its export to the same figures.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import type { TextGenerator } from '../../core/kernel/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { cohensKappa, tagUtterance } from '../../plugins/evaluators/counselling/mi-tagger.js';
import { miAgreement } from '../../plugins/evaluators/counselling/agreement.js';
import { counsellingMetrics } from '../../plugins/evaluators/counselling/index.js';

const kernel = await new Kernel().load({ builtins: builtinPlugins });
const env = { baseDir: process.cwd(), warn: () => {} };

describe('MI tagger', () => {
  test('questions open and closed, reflections simple and complex, affirmations, summaries, input, other', () => {
    const cases: [string, string, string | undefined][] = [
      ['What brings you here today?', 'question', 'open'],
      ['Tell me more about that.', 'question', 'open'],
      ['Do you drink every day?', 'question', 'closed'],
      ["I'm wondering if you'd be open to talking about your smoking.", 'question', 'closed'],
      ['So you drink mostly on weekends.', 'reflection', 'simple'],
      ['It sounds like part of you wants to quit, and part of you is afraid of losing your friends.', 'reflection', 'complex'],
      ['Let me see if I have this right: you want to cut down, and your wife is worried.', 'reflection', 'complex'],
      ['You should try nicotine patches; research shows they double the chance of quitting.', 'therapist_input', undefined],
      ['Mm-hmm.', 'other', undefined],
    ];
    for (const [text, main, subtype] of cases) {
      const t = tagUtterance(text);
      assert.equal(t.main, main, text);
      assert.equal(t.subtype, subtype, text);
    }
    const affirm = tagUtterance("That took a lot of courage. You've worked really hard on this.");
    assert.equal(affirm.affirmations, 2);
    assert.equal(tagUtterance('Let me summarize what we talked about.').summaries, 1);
    // κ: perfect agreement 1, agreement at chance 0.
    assert.equal(cohensKappa(['a', 'b'], ['a', 'b']), 1);
    assert.equal(cohensKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'a', 'b']), 0);
  });

  test("agreement with AnnoMI's labels on the shipped slice, well above the majority baseline", async () => {
    const source = await kernel.create({ kind: 'sources', use: 'sources/annomi', options: { annotations: 'full' } }, env);
    const examples = (await Promise.all(source.splits.map((split) => source.load({ split })))).flatMap((r) => r.examples);
    const a = miAgreement(examples);
    assert.equal(a.utterances, 184);
    assert.ok(Math.abs(a.behaviour.accuracy - 0.6413) < 1e-3 && Math.abs(a.behaviour.kappa - 0.508) < 1e-3, JSON.stringify(a.behaviour));
    assert.ok(a.behaviour.accuracy > a.behaviour.majorityBaseline + 0.25);
    assert.ok(a.questionSubtype!.accuracy > 0.7);
  });
});

describe('evaluators/counselling', () => {
  test('MITI-style summary scores over the replies', () => {
    const m = counsellingMetrics([tagUtterance('What worries you most?'), tagUtterance('So you drink on weekends. Do you want to change that?'), tagUtterance('You sound really torn about it.')]);
    assert.equal(m['counselling.open_question_rate'], 1 / 3);
    assert.equal(m['counselling.closed_question_rate'], 1 / 3);
    assert.equal(m['counselling.reflection_to_question'], 2 / 2);
    assert.equal(m['counselling.percent_complex_reflections'], 1 / 2);
    assert.equal(m['counselling.percent_open_questions'], 1 / 2);
  });

  test("replies to the AnnoMI slice's test conversations with tags and the empathy score; the export rescores to the same figures", async () => {
    const evaluator = await kernel.create({ kind: 'evaluators', use: 'evaluators/counselling', options: { limit: 6 } }, env);
    const replies = ['It sounds like you feel torn about drinking.', 'What would you like to change?'];
    const report = await evaluator.evaluate({
      label: 'scripted',
      generator: { generate: async () => [] } as TextGenerator,
      policy: { respond: async (cs) => cs.map((_, i) => ({ reply: replies[i % 2]!, trace: [] })) },
    });
    assert.equal(report.metrics['counselling.replies'], 6);
    assert.equal(report.metrics['counselling.complex_reflection_rate'], 0.5);
    assert.equal(report.metrics['counselling.open_question_rate'], 0.5);
    const empathy = report.metrics['counselling.empathy']!;
    assert.ok(empathy > 0 && empathy < 1, `empathy ${empathy}`);
    assert.equal(report.items![0]!.meta.empathy, report.items![2]!.meta.empathy, 'the same reply scores the same');
    assert.deepEqual((await evaluator.rescore!(report.items!)).metrics, report.metrics);
    await evaluator.dispose?.();
    const without = await kernel.create({ kind: 'evaluators', use: 'evaluators/counselling', options: { limit: 2, empathy: null } }, env);
    const r = await without.rescore!(report.items!.slice(0, 2));
    assert.equal(r.metrics['counselling.empathy'], undefined);
  });
});
