/**
 * The NLG metrics against known values: NLTK's documented corpus_bleu and sentence_bleu examples
 * (Papineni et al.'s sentences), a hand-worked brevity penalty, a hand-worked ROUGE-L (β = 1.2)
 * and Distinct-n.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { corpusBleu, distinct, rougeL, tokenize } from '../../plugins/evaluators/nlg/metrics.js';

const split = (s: string) => s.split(' ');
const hyp1 = split('It is a guide to action which ensures that the military always obeys the commands of the party');
const ref1a = split('It is a guide to action that ensures that the military will forever heed Party commands');
const ref1b = split('It is the guiding principle which guarantees the military forces always being under the command of the Party');
const ref1c = split('It is the practical guide for the army always to heed the directions of the party');
const hyp2 = split('he read the book because he was interested in world history');
const ref2a = split('he was interested in world history because he read the book');

describe('NLG metrics', () => {
  test("BLEU equals NLTK's documented values", () => {
    assert.ok(Math.abs(corpusBleu([hyp1], [[ref1a, ref1b, ref1c]]).bleu - 0.5045666840058485) < 1e-12);
    assert.ok(Math.abs(corpusBleu([hyp1, hyp2], [[ref1a, ref1b, ref1c], [ref2a]]).bleu - 0.5920778868801042) < 1e-12);
  });

  test('hand-worked: a short hypothesis pays the brevity penalty; no 4-gram match gives 0', () => {
    // "the cat sat" against "the cat sat on the mat": p1 = p2 = 1, c = 3, r = 6, BP = e^(1 − 2).
    const r = corpusBleu([split('the cat sat')], [[split('the cat sat on the mat')]], 2);
    assert.deepEqual(r.precisions, [1, 1]);
    assert.ok(Math.abs(r.bleu - Math.exp(-1)) < 1e-15);
    assert.equal(corpusBleu([split('the cat sat')], [[split('the cat sat on the mat')]], 4).bleu, 0);
  });

  test('ROUGE-L with β = 1.2, hand-worked; the best reference counts', () => {
    // LCS("the cat sat on mat", "the cat is on the mat") = 4: P = 4/5, R = 4/6.
    const p = 0.8;
    const r = 4 / 6;
    const expected = (2.44 * p * r) / (r + 1.44 * p);
    assert.ok(Math.abs(rougeL(split('the cat sat on mat'), [split('the cat is on the mat')]) - expected) < 1e-12);
    assert.ok(Math.abs(expected - 0.7155425219941349) < 1e-12);
    assert.equal(rougeL(split('the cat sat on mat'), [split('dogs bark'), split('the cat sat on mat')]), 1);
    assert.equal(rougeL([], [split('a b')]), 0);
  });

  test('Distinct-n over all responses; the tokenizer splits punctuation and keeps contractions', () => {
    assert.equal(distinct([split('a b a'), split('b c')], 1), 3 / 5);
    assert.equal(distinct([split('a b a'), split('b c')], 2), 1);
    assert.deepEqual(tokenize("I'm SO sorry, that's hard."), ["i'm", 'so', 'sorry', ',', "that's", 'hard', '.']);
  });
});
