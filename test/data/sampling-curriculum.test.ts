import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/base/errors.js';
import { Curriculum, CurriculumSampler, loadCurriculumFile, parseCurriculum, type CurriculumConfigInput } from '../../core/data/sampling/index.js';

const SHIPPED = 'configs/curricula/counselchat-to-annomi.yaml';
const sizes = { counselchat: 1839, annomi: 4400 };

function small(): CurriculumConfigInput {
  return {
    name: 'three-phase',
    sources: ['a', 'b'],
    phases: [
      { name: 'a-only', weights: { a: 1 }, steps: 5 },
      { name: 'even', weights: { a: 1, b: 1 }, examples: 30, lrMultiplier: 0.8 },
      { name: 'b-only', weights: { a: 0, b: 3 }, steps: 4, lrMultiplier: 0.5 },
    ],
  };
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('curriculum config', () => {
  test('the shipped CounselChat→AnnoMI schedule loads with its five phases', () => {
    const config = loadCurriculumFile(SHIPPED);
    assert.deepEqual(config.sources, ['counselchat', 'annomi']);
    const curriculum = new Curriculum(config, { examplesPerStep: 8, origin: SHIPPED });
    assert.deepEqual(
      curriculum.phases.map((p) => p.weights),
      [
        [100, 0],
        [80, 20],
        [60, 40],
        [40, 60],
        [0, 100],
      ],
    );
    assert.equal(curriculum.totalExamples, 3000);
    assert.equal(curriculum.totalSteps, 375);
  });

  test('errors name the phase index and key, with the offending value', () => {
    const zeroLength = small();
    (zeroLength.phases[2] as { steps?: number }).steps = 0;
    assert.match(configError(() => parseCurriculum(zeroLength, 'my.yaml')), /Invalid curriculum my\.yaml:\n {2}phases\[2\]\.steps: a phase must last at least one step \(got 0\)/);

    const unknown = small();
    (unknown.phases[1] as { weights: Record<string, number> }).weights = { a: 1, annomy: 2 };
    assert.match(configError(() => parseCurriculum(unknown, 'x')), /phases\[1\]\.weights\.annomy: unknown source 'annomy' \(sources: a, b\)/);

    const negative = small();
    (negative.phases[0] as { weights: Record<string, number> }).weights = { a: -1, b: 1 };
    assert.match(configError(() => parseCurriculum(negative, 'x')), /phases\[0\]\.weights\.a: a mixture weight must be >= 0 \(got -1\)/);

    const allZero = small();
    (allZero.phases[0] as { weights: Record<string, number> }).weights = { a: 0, b: 0 };
    assert.match(configError(() => parseCurriculum(allZero, 'x')), /phases\[0\]\.weights: the weights must sum to a positive number/);

    const both = small();
    (both.phases[1] as { steps?: number }).steps = 3;
    assert.match(configError(() => parseCurriculum(both, 'x')), /phases\[1\]\.steps: give the phase length as exactly one of `steps` or `examples`/);

    const typo = { ...small(), phases: [{ name: 'p', weights: { a: 1 }, steps: 1, lr_multiplier: 2 }] };
    assert.match(configError(() => parseCurriculum(typo, 'x')), /phases\[0\]/);
    assert.match(configError(() => parseCurriculum(typo, 'x')), /lr_multiplier/);

    assert.match(configError(() => parseCurriculum({ ...small(), phases: [] }, 'x')), /phases: a curriculum needs at least one phase/);
  });

  test('file errors: YAML syntax and missing files name the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-curriculum-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: x\nphases: [\n');
    assert.match(configError(() => loadCurriculumFile(broken)), /broken\.yaml is not valid YAML/);
    assert.match(configError(() => loadCurriculumFile(join(dir, 'absent.yaml'))), /Cannot read curriculum .*absent\.yaml/);
  });

  test('programmatic curricula are validated too; examplesPerStep must be positive', () => {
    assert.throws(() => new Curriculum(small(), { examplesPerStep: 0 }), /examplesPerStep must be an integer >= 1, got 0/);
    const bad = small();
    (bad.phases[0] as { lrMultiplier?: number }).lrMultiplier = 0;
    assert.match(configError(() => new Curriculum(bad, { examplesPerStep: 2, origin: 'recipe sft-curriculum' })), /recipe sft-curriculum:\n {2}phases\[0\]\.lrMultiplier: the LR multiplier must be > 0/);
  });
});

describe('Curriculum', () => {
  test('phaseAt maps steps to phases; step lengths scale by examplesPerStep', () => {
    const c = new Curriculum(small(), { examplesPerStep: 4 });
    // Phases in examples: [0, 20), [20, 50), [50, 66).
    assert.deepEqual(c.phases.map((p) => [p.startExample, p.endExample]), [
      [0, 20],
      [20, 50],
      [50, 66],
    ]);
    assert.equal(c.phaseAt(0).name, 'a-only');
    assert.equal(c.phaseAt(4).name, 'a-only');
    assert.equal(c.phaseAt(5).name, 'even');
    assert.equal(c.phaseAt(5).lrMultiplier, 0.8);
    assert.equal(c.phaseAt(12).name, 'even', 'step 12 starts at example 48, inside phase 1');
    assert.equal(c.phaseAt(13).name, 'b-only');
    assert.equal(c.phaseAt(10_000).name, 'b-only', 'the last phase stays in force');
    assert.equal(c.totalSteps, 17);
    assert.throws(() => c.phaseAt(-1), /step must be an integer >= 0, got -1/);
  });
});

describe('CurriculumSampler', () => {
  test('switches mixture weights exactly at phase boundaries', () => {
    const curriculum = loadCurriculumFile(SHIPPED);
    const sampler = new CurriculumSampler({ curriculum: new Curriculum(curriculum, { examplesPerStep: 8 }), sizes, seed: 3 });
    const draws = sampler.take(3000);
    const byPhase = [0, 1, 2, 3, 4].map((k) => draws.slice(k * 600, (k + 1) * 600));
    byPhase.forEach((phaseDraws, k) => assert.ok(phaseDraws.every((d) => d.phase === k), `phase ${k}`));
    assert.ok((byPhase[0] ?? []).every((d) => d.sourceName === 'counselchat'));
    assert.ok((byPhase[4] ?? []).every((d) => d.sourceName === 'annomi'));
    const annomiShare = [1, 2, 3].map((k) => (byPhase[k] ?? []).filter((d) => d.sourceName === 'annomi').length / 600);
    [0.2, 0.4, 0.6].forEach((p, i) => {
      const tolerance = 4 * Math.sqrt((p * (1 - p)) / 600);
      assert.ok(Math.abs((annomiShare[i] as number) - p) < tolerance, `phase ${i + 1}: ${annomiShare[i]} vs ${p}`);
    });
  });

  test('a run resumed mid-phase draws exactly the same sequence as an uninterrupted one', () => {
    const make = () => new CurriculumSampler({ curriculum: new Curriculum(loadCurriculumFile(SHIPPED), { examplesPerStep: 8 }), sizes: { counselchat: 37, annomi: 23 }, seed: 99 });
    const uninterrupted = make().take(3200);
    for (const k of [1, 1337, 1800, 2999]) {
      const first = make();
      const head = first.take(k);
      const saved = JSON.parse(JSON.stringify(first.state()));
      const resumed = make();
      resumed.restore(saved);
      assert.equal(resumed.phase.index, Math.min(4, Math.floor(k / 600)));
      assert.deepEqual([...head, ...resumed.take(3200 - k)], uninterrupted, `resumed at draw ${k}`);
    }
  });

  test('needs a size for every source and rejects another curriculum’s state', () => {
    const curriculum = new Curriculum(loadCurriculumFile(SHIPPED), { examplesPerStep: 8 });
    assert.throws(() => new CurriculumSampler({ curriculum, sizes: { counselchat: 10 }, seed: 1 }), /no size was given for annomi/);
    const other = new CurriculumSampler({ curriculum: new Curriculum(small(), { examplesPerStep: 1 }), sizes: { a: 5, b: 5 }, seed: 1 });
    const sampler = new CurriculumSampler({ curriculum, sizes, seed: 1 });
    assert.throws(() => sampler.restore(other.state()), /saved for curriculum 'three-phase' but this run uses 'counselchat-to-annomi'/);
  });
});
