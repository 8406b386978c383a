import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MixtureError, MixtureSampler, mixtureProbabilities, type MixtureSource } from '../../core/data/sampling/index.js';

const sources: MixtureSource[] = [
  { name: 'ed', size: 900 },
  { name: 'esconv', size: 400 },
  { name: 'annomi', size: 100 },
];

function frequencies(sampler: MixtureSampler, draws: number): number[] {
  const counts = new Array<number>(sampler.sourceNames.length).fill(0);
  for (let i = 0; i < draws; i++) {
    const { source } = sampler.next();
    counts[source] = (counts[source] as number) + 1;
  }
  return counts.map((c) => c / draws);
}

describe('mixture probabilities', () => {
  const names = ['ed', 'esconv', 'annomi'];
  const sizes = [900, 400, 100];

  test('alpha 1 is proportional, 0.5 uses square roots, small alpha tends to uniform', () => {
    const proportional = mixtureProbabilities({ names, sizes, alpha: 1 });
    [9 / 14, 4 / 14, 1 / 14].forEach((p, i) => assert.ok(Math.abs((proportional[i] as number) - p) < 1e-12));
    const sqrt = mixtureProbabilities({ names, sizes, alpha: 0.5 });
    [30 / 60, 20 / 60, 10 / 60].forEach((p, i) => assert.ok(Math.abs((sqrt[i] as number) - p) < 1e-12));
    for (const p of mixtureProbabilities({ names, sizes, alpha: 1e-6 })) assert.ok(Math.abs(p - 1 / 3) < 1e-4);
  });

  test('explicit weights override sizes and alpha', () => {
    assert.deepEqual(mixtureProbabilities({ names, sizes, alpha: 0.3, weights: [1, 0, 3] }), [0.25, 0, 0.75]);
  });

  test('invalid inputs get clear errors', () => {
    assert.throws(() => mixtureProbabilities({ names, sizes, alpha: 0 }), /alpha must be in \(0, 1\], got 0/);
    assert.throws(() => mixtureProbabilities({ names, sizes, alpha: 1.5 }), /got 1.5/);
    assert.throws(() => mixtureProbabilities({ names, sizes: [900, 0, 100], alpha: 1 }), /Source 'esconv' \(index 1\) has 0 examples/);
    assert.throws(() => mixtureProbabilities({ names, sizes, alpha: 1, weights: [0, 0, 0] }), (e: unknown) => e instanceof MixtureError && /must sum to a positive number/.test(e.message));
    assert.throws(() => mixtureProbabilities({ names, sizes, alpha: 1, weights: [1, -1, 0] }), /weight for source 'esconv' must be a finite number >= 0, got -1/);
    assert.throws(() => mixtureProbabilities({ names, sizes, alpha: 1, weights: [1, 1] }), /Got 2 mixture weights for 3 sources/);
    assert.throws(() => mixtureProbabilities({ names: [], sizes: [], alpha: 1 }), /at least one source/);
    assert.throws(() => mixtureProbabilities({ names: ['a', 'a'], sizes: [1, 1], alpha: 1 }), /'a' appears twice/);
  });
});

describe('MixtureSampler', () => {
  test('empirical source frequencies over 10k draws match p_i', () => {
    for (const alpha of [1, 0.5]) {
      const sampler = new MixtureSampler({ sources, alpha, seed: 1234 });
      const observed = frequencies(sampler, 10_000);
      sampler.probabilities.forEach((p, i) => {
        // 4 standard deviations of a binomial proportion.
        const tolerance = 4 * Math.sqrt((p * (1 - p)) / 10_000);
        assert.ok(Math.abs((observed[i] as number) - p) < tolerance, `alpha ${alpha}, source ${i}: ${observed[i]} vs ${p}`);
      });
    }
  });

  test('each source is walked without repeats until exhausted, then reshuffled', () => {
    const sampler = new MixtureSampler({ sources: [{ name: 'a', size: 50 }, { name: 'b', size: 7 }], seed: 9 });
    const seen = new Map<number, number[]>([
      [0, []],
      [1, []],
    ]);
    for (let i = 0; i < 2000; i++) {
      const draw = sampler.next();
      seen.get(draw.source)?.push(draw.index);
    }
    for (const [source, indices] of seen) {
      const size = source === 0 ? 50 : 7;
      const epochs = Math.floor(indices.length / size);
      assert.ok(epochs >= 2);
      const orders: string[] = [];
      for (let e = 0; e < epochs; e++) {
        const epoch = indices.slice(e * size, (e + 1) * size);
        assert.equal(new Set(epoch).size, size, `source ${source} epoch ${e} repeats an example`);
        orders.push(epoch.join(','));
      }
      assert.ok(new Set(orders).size > 1, `source ${source} is reshuffled between epochs`);
    }
  });

  test('deterministic for a seed; the epoch counter advances per source', () => {
    const a = new MixtureSampler({ sources, seed: 77 }).take(500);
    const b = new MixtureSampler({ sources, seed: 77 }).take(500);
    assert.deepEqual(a, b);
    assert.notDeepEqual(new MixtureSampler({ sources, seed: 78 }).take(500), a);
    const annomi = a.filter((d) => d.source === 2);
    assert.equal(annomi[annomi.length - 1]?.epoch, 0);
    const small = new MixtureSampler({ sources: [{ name: 'x', size: 3 }], seed: 1 }).take(7);
    assert.deepEqual(small.map((d) => d.epoch), [0, 0, 0, 1, 1, 1, 2]);
  });

  test('state() / restore() into a fresh sampler continues exactly, across epochs and weight changes', () => {
    const original = new MixtureSampler({ sources, alpha: 0.5, seed: 2024 });
    original.take(1234);
    original.setWeights([0, 1, 3]);
    original.take(10);
    const saved = JSON.parse(JSON.stringify(original.state()));
    const expected = original.take(3000);
    const resumed = new MixtureSampler({ sources, alpha: 0.5, seed: 2024 });
    resumed.restore(saved);
    assert.equal(resumed.drawn, 1244);
    assert.deepEqual(resumed.take(3000), expected);
  });

  test('restore rejects state from other sources or seeds; partial weights are rejected', () => {
    const saved = new MixtureSampler({ sources, seed: 1 }).state();
    const grown = sources.map((s) => (s.name === 'annomi' ? { ...s, size: 101 } : s));
    assert.throws(() => new MixtureSampler({ sources: grown, seed: 1 }).restore(saved, 'runs/a/sampler.json'), /runs\/a\/sampler\.json: saved for sources \[ed\(900\), esconv\(400\), annomi\(100\)\] but this sampler has \[.*annomi\(101\)\]/);
    assert.throws(() => new MixtureSampler({ sources, seed: 2 }).restore(saved), /saved with seed 1 but this sampler uses seed 2/);
    assert.throws(() => new MixtureSampler({ sources: [{ name: 'a', size: 1, weight: 1 }, { name: 'b', size: 1 }], seed: 1 }), /given for some sources but not for b/);
  });

  test('a zero-weight source is never drawn', () => {
    const sampler = new MixtureSampler({ sources: sources.map((s, i) => ({ ...s, weight: i === 1 ? 0 : 1 })), seed: 5 });
    assert.ok(sampler.take(5000).every((d) => d.source !== 1));
  });
});
