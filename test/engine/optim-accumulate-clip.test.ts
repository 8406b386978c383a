import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { clipGradNorm, globalGradNorm, GradientAccumulator, NonFiniteError, type Parameter } from '../../core/engine/optim/index.js';

const params: Parameter[] = [
  { name: 'a', shape: [2], data: new Float32Array(2) },
  { name: 'b', shape: [1], data: new Float32Array(1) },
];

describe('GradientAccumulator', () => {
  test('microBatches: mean of the micro-batch gradients', () => {
    const acc = new GradientAccumulator(params);
    acc.add({ a: Float32Array.of(1, 2), b: Float32Array.of(3) });
    acc.add({ a: Float32Array.of(3, 6), b: Float32Array.of(-3) });
    const g = acc.finish();
    assert.deepEqual([...(g.a as Float32Array)], [2, 4]);
    assert.deepEqual([...(g.b as Float32Array)], [0]);
    assert.equal(acc.microBatches, 2);
  });

  test('tokens with mean-reduced losses: Σ(g·t) / Σt, not the plain mean', () => {
    const acc = new GradientAccumulator(params, { scaleBy: 'tokens' });
    acc.add({ a: Float32Array.of(1, 0), b: Float32Array.of(0) }, 1);
    acc.add({ a: Float32Array.of(4, 0), b: Float32Array.of(2) }, 3);
    const g = acc.finish();
    assert.equal(g.a?.[0], 3.25);
    assert.equal(g.b?.[0], 1.5);
    assert.equal(acc.tokens, 4);
  });

  test('tokens with sum-reduced losses: Σg / Σt', () => {
    const acc = new GradientAccumulator(params, { scaleBy: 'tokens', microBatchLoss: 'sum' });
    acc.add({ a: Float32Array.of(2, 4), b: Float32Array.of(8) }, 2);
    acc.add({ a: Float32Array.of(6, 4), b: Float32Array.of(0) }, 2);
    assert.deepEqual([...(acc.finish().a as Float32Array)], [2, 2]);
  });

  test('reset zeroes the buffers for the next step and none keeps the sum', () => {
    const acc = new GradientAccumulator(params, { scaleBy: 'none' });
    acc.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) });
    acc.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) });
    assert.deepEqual([...(acc.finish().a as Float32Array)], [2, 2]);
    acc.reset();
    acc.add({ a: Float32Array.of(5, 0), b: Float32Array.of(0) });
    assert.deepEqual([...(acc.finish().a as Float32Array)], [5, 0]);
  });

  test('misuse gets clear errors', () => {
    const acc = new GradientAccumulator(params, { scaleBy: 'tokens' });
    assert.throws(() => acc.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) }), /needs the token count of each micro-batch \(micro-batch 1 has none\)/);
    assert.throws(() => acc.finish(), /no micro-batches added/);
    acc.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) }, 0);
    assert.throws(() => acc.finish(), /hold no scored tokens/);
    assert.throws(() => acc.add({ a: Float32Array.of(1, 1) }, 2), /no gradient for parameter 'b'/);
    const done = new GradientAccumulator(params);
    done.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) });
    done.finish();
    assert.throws(() => done.add({ a: Float32Array.of(1, 1), b: Float32Array.of(1) }), /add\(\) after finish\(\)/);
  });
});

describe('clipGradNorm', () => {
  test('returns the pre-clip norm and scales all gradients jointly to maxNorm', () => {
    const grads = { a: Float32Array.of(3, 0), b: Float32Array.of(4) };
    assert.equal(globalGradNorm(grads), 5);
    const norm = clipGradNorm(grads, 1);
    assert.equal(norm, 5);
    assert.ok(Math.abs(globalGradNorm(grads) - 1) < 1e-5);
    assert.ok(Math.abs((grads.a[0] as number) - 0.6) < 1e-6 && Math.abs((grads.b[0] as number) - 0.8) < 1e-6);
  });

  test('leaves gradients below maxNorm untouched', () => {
    const grads = { a: Float32Array.of(0.3, 0.4) };
    assert.ok(Math.abs(clipGradNorm(grads, 1) - 0.5) < 1e-7);
    assert.deepEqual([...grads.a], [Math.fround(0.3), Math.fround(0.4)]);
  });

  test('a non-finite gradient throws NonFiniteError naming the step, parameter and index', () => {
    const grads = { a: Float32Array.of(1, 1), b: Float32Array.of(Number.POSITIVE_INFINITY) };
    assert.throws(
      () => clipGradNorm(grads, 1, { step: 42 }),
      (error: unknown) =>
        error instanceof NonFiniteError && /at step 42: gradient 'b' has Infinity at flat index 0/.test(error.message) && /clipping/.test(error.message),
    );
    assert.throws(() => clipGradNorm(grads, 0), /maxNorm must be a finite number > 0, got 0/);
  });
});
