/**
 * evaluators/eq-bench against hand-worked answers: the prompt without the revision request, the
 * parser's cases (case-sensitive names, exactly four pairs, markdown, a space after the colon),
 * v2 full-scale and v1 scores, the 83.33 % rule, retries at rising temperature, and rescoring an
 * export without a model.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import type { GenerationRequest, GenerationResult, Message, TextGenerator } from '../../core/kernel/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { loadEqBenchQuestions } from '../../plugins/evaluators/eq-bench/index.js';
import { aggregateEqBench, eqBenchPrompt, fullScaleCost, parseEqBenchAnswer, scoreEqBenchAnswer } from '../../plugins/evaluators/eq-bench/scoring.js';

const v2 = loadEqBenchQuestions('v2');
const v1 = loadEqBenchQuestions('v1');
const q1 = v2[0]!; // Robert: Remorseful 0, Indifferent 6, Affectionate 0, Annoyed 7 (full scale)
const answer = (r: number, i: number, a: number, n: number) => `Remorseful: ${r}\nIndifferent: ${i}\nAffectionate: ${a}\nAnnoyed: ${n}`;
const score = (text: string, version: 'v1' | 'v2' = 'v2', q = q1) => scoreEqBenchAnswer(parseEqBenchAnswer(text, 'en', false).firstPass, q, version);
const close = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('EQ-Bench scoring', () => {
  test('the shipped sets and the prompt without the revision request', () => {
    assert.equal(v2.length, 171);
    assert.equal(v1.length, 60);
    assert.equal(loadEqBenchQuestions('v2-de').length, 171);
    assert.deepEqual(q1.reference, [{ emotion: 'Remorseful', score: 0 }, { emotion: 'Indifferent', score: 6 }, { emotion: 'Affectionate', score: 0 }, { emotion: 'Annoyed', score: 7 }]);
    const p = eqBenchPrompt(q1.prompt, 'en', false);
    assert.doesNotMatch(p, /critique|First pass scores|Revised scores/i);
    assert.match(p, /for the relative intensity that they are likely to be feeling each\.\n\nYou must output/);
    assert.match(p, /\nRemorseful: <score>\nIndifferent: <score>\nAffectionate: <score>\nAnnoyed: <score>\n\n\n\[End of answer\]/, "the official cut leaves three newlines");
    assert.ok(p.endsWith('You must score at least one emotion > 0.\n\nYour answer:\n'));
    assert.equal(eqBenchPrompt(q1.prompt, 'en', true), q1.prompt);
    const de = eqBenchPrompt(loadEqBenchQuestions('v2-de')[0]!.prompt, 'de', false);
    assert.doesNotMatch(de, /Kritik|Erste Bewertung|Überarbeitete/);
    assert.ok(de.endsWith('\nIhre Antwort:\n'));
  });

  test('v2 full scale: exact 10, hand-worked partial credit, the linear tail past 5 points', () => {
    close(score(answer(0, 6, 0, 7)), 10, 'exact');
    // d = 2 and d = 4: f(2) = 6.5 / (1 + e^2.4) = 0.5406220…, f(4) = 3.25.
    close(fullScaleCost(2), 6.5 / (1 + Math.exp(2.4)), 'f(2)');
    close(score(answer(2, 6, 0, 3)), 10 - 0.7477 * (6.5 / (1 + Math.exp(2.4)) + 3.25), 'd = 2, 4');
    assert.ok(Math.abs(score(answer(2, 6, 0, 3))! - 7.16575) < 1e-5);
    // d = 7 costs 7 itself.
    close(score(answer(0, 6, 0, 0)), 10 - 0.7477 * 7, 'd = 7');
    // Scores can go negative.
    assert.ok(score(answer(10, 0, 10, 0))! < 0);
  });

  test('v1: answers normalized to sum 10, then 10 − Σ|d|', () => {
    const q = v1[0]!; // Remorseful 0, Indifferent 6, Affectionate 0, Annoyed 4 (sums to 10)
    close(score(answer(2, 6, 0, 2), 'v1', q), 6, 'sum 10');
    close(score(answer(1, 3, 0, 1), 'v1', q), 6, 'normalized from sum 5');
    close(score(answer(0, 6, 0, 4), 'v1', q), 10, 'exact');
  });

  test('an answer counts only with exactly the four names, a space after the colon and a positive total', () => {
    assert.equal(score(answer(0, 6, 0, 7).replace('Annoyed', 'annoyed')), null, 'names are case-sensitive');
    assert.equal(score(`${answer(0, 6, 0, 7)}\nConfidence: 8`), null, 'five pairs');
    assert.equal(score(answer(0, 6, 0, 7).replace('Annoyed: 7', 'Annoyed:7')), null, 'no space after the colon');
    assert.equal(score(answer(0, 0, 0, 0)), null, 'a total of 0');
    close(score(answer(0, 6, 0, 7).replace('Annoyed: 7', '**Annoyed:** 7')), 10, 'markdown is stripped');
    close(score(`Remorseful: 9\n${answer(0, 6, 0, 7)}`), 10, 'the last duplicate wins');
    close(score(answer(0, 6, 0, 7).replace('Annoyed: 7', 'Annoyed: 7.5')), 10, 'integers only: 7.5 reads as 7');
    const revised = parseEqBenchAnswer(`First pass scores:\n${answer(1, 1, 1, 1)}\nCritique: hm\nRevised scores:\n${answer(0, 6, 0, 7)}`, 'en', true);
    close(scoreEqBenchAnswer(revised.revised, q1, 'v2'), 10, 'the revised section');
    assert.equal(revised.firstPass.get('Annoyed'), 1);
    const de = parseEqBenchAnswer('Reuevoll: **2**\nGleichgültig: 6,5\nZuneigend: 0\nVerärgert: 7', 'de', false).firstPass;
    assert.deepEqual([...de], [['Reuevoll', 2], ['Gleichgültig', 6.5], ['Zuneigend', 0], ['Verärgert', 7]]);
  });

  test('the benchmark score is 10 × the mean over parseable questions; below 83.33 % parseable the run fails', () => {
    assert.deepEqual(aggregateEqBench([10, 5, null]), { score: 75, parseable: 2, questions: 3, parseRate: 2 / 3, failed: true });
    const ok = aggregateEqBench([...Array.from({ length: 143 }, () => 7.123), ...Array.from({ length: 28 }, () => null)]);
    assert.equal(ok.failed, false, '143 of 171');
    assert.equal(ok.score, 71.23);
    assert.equal(aggregateEqBench([...Array.from({ length: 142 }, () => 7), ...Array.from({ length: 29 }, () => null)]).failed, true, '142 of 171');
  });
});

describe('evaluators/eq-bench', () => {
  test('retries an unparseable answer at a higher temperature; a question that never parses is left out; an export rescores to the same figures', async () => {
    const kernel = await new Kernel().load({ builtins: builtinPlugins });
    const evaluator = await kernel.create({ kind: 'evaluators', use: 'evaluators/eq-bench', options: { questions: 6, batchSize: 4 } }, { baseDir: '.', warn: () => {} });
    const requests: GenerationRequest[] = [];
    const seen = new Map<string, number>();
    const generator: TextGenerator = {
      generate: async (conversations: Message[][], request) => {
        requests.push(request);
        return conversations.map((c): GenerationResult => {
          const prompt = c[0]!.content;
          const q = v2.slice(0, 6).find((x) => eqBenchPrompt(x.prompt, 'en', false) === prompt)!;
          const n = (seen.get(q.id) ?? 0) + 1;
          seen.set(q.id, n);
          // Question 2 parses on its second try; question 3 never does; the rest answer the reference exactly.
          const text = (q.id === '2' && n === 1) || q.id === '3' ? 'I think they feel sad.' : q.reference.map((r) => `${r.emotion}: ${r.score}`).join('\n');
          return { text, tokenIds: [], logProbs: [], finishReason: 'eos', promptTokens: 0 };
        });
      },
    };
    const report = await evaluator.evaluate({ label: 'scripted', generator, policy: { respond: async () => [] } });
    assert.equal(report.metrics['eq_bench.score'], 100);
    assert.equal(report.metrics['eq_bench.parseable'], 5);
    assert.equal(report.metrics['eq_bench.failed'], 0, '5 of 6 is 83.3 %');
    assert.deepEqual(requests.map((r) => [r.params.temperature, r.params.maxNewTokens]), [[0.01, 60], [0.01, 60], [0.16, 60], [0.31, 60]]);
    assert.equal(seen.get('3'), 3, 'three attempts');
    const items = report.items!;
    assert.equal(items.find((i) => i.prompt_id === '2')!.meta.attempts, 2);
    assert.equal(items.find((i) => i.prompt_id === '3')!.meta.score, null);
    const again = await evaluator.rescore!(items);
    assert.deepEqual(again.metrics, report.metrics);
    await assert.rejects(evaluator.rescore!([{ ...items[0]!, prompt_id: '999' }]), /row 1 has prompt_id "999", not a question id of EQ-Bench v2/);
  });
});
