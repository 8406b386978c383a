import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { permutation, shuffleInPlace, Xoshiro128, RNG_ALGORITHM } from '../../core/data/sampling/index.js';

describe('xoshiro128**', () => {
  test('matches the reference C implementation from state {1, 2, 3, 4}', () => {
    const rng = Xoshiro128.fromState({ algorithm: RNG_ALGORITHM, s: [1, 2, 3, 4] });
    const out = Array.from({ length: 8 }, () => rng.nextUint32());
    assert.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  test('a seed replays its stream; other seeds give other streams', () => {
    const draw = (seed: number) => {
      const rng = Xoshiro128.fromSeed(seed);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
    assert.notDeepEqual(draw(1), draw(1 + 2 ** 32), 'the high word of the seed matters');
  });

  test('state() then restore() continues the exact stream, through JSON', () => {
    const rng = Xoshiro128.fromSeed(7);
    for (let i = 0; i < 100; i++) rng.nextUint32();
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = Array.from({ length: 10 }, () => rng.nextUint32());
    const resumed = Xoshiro128.fromSeed(999);
    resumed.restore(saved);
    assert.deepEqual(Array.from({ length: 10 }, () => resumed.nextUint32()), expected);
  });

  test('nextInt is uniform over [0, bound) and nextFloat stays in [0, 1)', () => {
    const rng = Xoshiro128.fromSeed(3);
    const counts = new Array<number>(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const k = rng.nextInt(6);
      counts[k] = (counts[k] as number) + 1;
    }
    // Chi-square with 5 degrees of freedom: 20.5 is the 0.999 quantile.
    const chi = counts.reduce((acc, c) => acc + (c - n / 6) ** 2 / (n / 6), 0);
    assert.ok(chi < 20.5, `chi-square ${chi}, counts ${counts}`);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = rng.nextFloat();
      assert.ok(u >= 0 && u < 1);
      sum += u;
    }
    assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.015);
  });

  test('rejects bad seeds, bounds and corrupt states', () => {
    assert.throws(() => Xoshiro128.fromSeed(-1), /seed must be an integer in \[0, 2\^53\), got -1/);
    assert.throws(() => Xoshiro128.fromSeed(1.5), /got 1.5/);
    assert.throws(() => Xoshiro128.fromSeed(1).nextInt(0), /bound must be an integer in \[1, 2\^32\], got 0/);
    assert.throws(() => Xoshiro128.fromState({ algorithm: RNG_ALGORITHM, s: [0, 0, 0, 0] }), /not all zero/);
    assert.throws(() => Xoshiro128.fromState({ algorithm: 'pcg32' as typeof RNG_ALGORITHM, s: [1, 2, 3, 4] }), /'pcg32', expected 'xoshiro128\*\*'/);
  });
});

describe('shuffling', () => {
  test('permutation holds every index once and replays from the seed', () => {
    const p = permutation(1000, Xoshiro128.fromSeed(5));
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.deepEqual(permutation(1000, Xoshiro128.fromSeed(5)), p);
    assert.notDeepEqual([...p], Array.from({ length: 1000 }, (_, i) => i));
  });

  test('all 6 orders of 3 items are about equally likely (Fisher–Yates without bias)', () => {
    const rng = Xoshiro128.fromSeed(11);
    const counts = new Map<string, number>();
    const n = 30_000;
    for (let i = 0; i < n; i++) {
      const items = ['a', 'b', 'c'];
      shuffleInPlace(items, rng);
      const key = items.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 6);
    for (const [order, c] of counts) assert.ok(Math.abs(c - n / 6) < 300, `${order}: ${c}`);
  });
});
