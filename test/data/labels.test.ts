import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  LabelVocabulary,
  LabelError,
  vocabularyFromTrain,
  goEmotionsLabels,
  goEmotionToEkman,
  ekmanLabels,
  ed32Labels,
  esconvStrategies,
  normalizeEsconvStrategy,
  esconvStrategySpellings,
  edToGoEmotions,
  edToGoEmotionsTable,
} from '../../core/data/labels/index.js';

describe('LabelVocabulary', () => {
  test('label ↔ id round-trips; unknown labels and ids throw with the taxonomy named', () => {
    const vocab = new LabelVocabulary('t', ['b', 'a', 'c']);
    assert.deepEqual(vocab.labels.map((l) => vocab.id(l)), [0, 1, 2]);
    assert.equal(vocab.label(1), 'a');
    assert.throws(() => vocab.id('z'), (e: unknown) => e instanceof LabelError && /'z' is not in vocabulary 't'/.test(e.message));
    assert.throws(() => vocab.label(3), /out of range/);
    assert.throws(() => new LabelVocabulary('t', ['a', 'a']), /twice/);
  });

  test('from train labels: canonical order regardless of row order; observed or full coverage', () => {
    const rows = ['neutral', 'anger', 'admiration', 'anger'];
    const observed = vocabularyFromTrain('goemotions-28', rows, { canonical: goEmotionsLabels });
    assert.deepEqual(observed.labels, ['admiration', 'anger', 'neutral']);
    assert.deepEqual(vocabularyFromTrain('goemotions-28', [...rows].reverse(), { canonical: goEmotionsLabels }).labels, observed.labels);
    const full = vocabularyFromTrain('goemotions-28', rows, { canonical: goEmotionsLabels, coverage: 'canonical' });
    assert.equal(full.size, 28);
    assert.equal(full.id('neutral'), 27);
    assert.throws(() => vocabularyFromTrain('goemotions-28', ['Anger'], { canonical: goEmotionsLabels }), /not in taxonomy 'goemotions-28': Anger/);
    assert.deepEqual(vocabularyFromTrain('free', ['b', 'a', 'b']).labels, ['a', 'b']);
  });
});

describe('taxonomies', () => {
  test('GoEmotions 28 matches the emotions.txt order of the release, neutral last', () => {
    assert.equal(goEmotionsLabels.length, 28);
    assert.equal(goEmotionsLabels[27], 'neutral');
    const shipped = readFileSync(new URL('../../plugins/sources/goemotions/slice/emotions.txt', import.meta.url), 'utf8');
    assert.deepEqual(shipped.trim().split('\n'), [...goEmotionsLabels]);
  });

  test('every GoEmotions label has an Ekman class among the 7', () => {
    for (const label of goEmotionsLabels) assert.ok((ekmanLabels as readonly string[]).includes(goEmotionToEkman(label)), label);
    assert.equal(goEmotionToEkman('annoyance'), 'anger');
    assert.equal(goEmotionToEkman('neutral'), 'neutral');
    assert.throws(() => goEmotionToEkman('jealousy'), LabelError);
  });

  test('ED 32 labels are 32 distinct lower-case words', () => {
    assert.equal(new Set(ed32Labels).size, 32);
    for (const label of ed32Labels) assert.match(label, /^[a-z]+$/);
  });

  test('ESConv strategy spellings from both releases normalize to the 8 HF names', () => {
    assert.equal(esconvStrategies.length, 8);
    assert.equal(normalizeEsconvStrategy('Questions'), 'Question');
    assert.equal(normalizeEsconvStrategy('Other'), 'Others');
    assert.equal(normalizeEsconvStrategy('Approval and Reassurance'), 'Affirmation and Reassurance');
    assert.equal(normalizeEsconvStrategy('Restatement'), 'Restatement or Paraphrasing');
    assert.equal(normalizeEsconvStrategy(' reflection  of Feelings '), 'Reflection of feelings');
    assert.equal(normalizeEsconvStrategy('Direct Guidance'), 'Providing Suggestions');
    assert.equal(normalizeEsconvStrategy('Hugging'), undefined);
    for (const [, strategy] of esconvStrategySpellings()) assert.ok((esconvStrategies as readonly string[]).includes(strategy));
    for (const strategy of esconvStrategies) assert.equal(normalizeEsconvStrategy(strategy), strategy);
  });

  test('ED → GoEmotions table covers all 32 ED labels with GoEmotions targets; fit filter works', () => {
    const table = edToGoEmotionsTable();
    assert.deepEqual([...table.keys()].sort(), [...ed32Labels]);
    for (const entry of table.values()) assert.ok((goEmotionsLabels as readonly string[]).includes(entry.label));
    assert.equal(edToGoEmotions('afraid'), 'fear');
    assert.equal(edToGoEmotions('jealous', 'close'), undefined);
    assert.equal(edToGoEmotions('jealous'), 'desire');
    assert.throws(() => edToGoEmotions('happy'), /not an ED-32 label/);
  });
});
