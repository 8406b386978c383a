import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSession, Graph, defineOp, gradients, ops, stopGradient } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';

describe('engine public API', () => {
  test('traces, differentiates and runs a matmul loss with a symbolic batch', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 4]);
    const w = g.parameter('w', 'float32', [4, 3]);
    const y = ops.matmul(x, w);
    assert.deepEqual(y.shape, ['batch', 3]);
    const loss = ops.mean(ops.mul(y, y));
    const program = g.compile({ outputs: { loss, ...gradients(loss, [w]) } });
    assert.deepEqual(program.inputs.map((s) => s.name), ['x', 'w']);
    const session = await EngineSession.create(program);
    const xs = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = await session.run({ x: xs, w: new Float32Array(12).fill(0.1) });
    // y rows are 1.0 and 2.6 in every column; loss = mean(y^2) over 6 entries.
    assert.ok(Math.abs((out['loss']?.data[0] as number) - (3 * 1 + 3 * 2.6 * 2.6) / 6) < 1e-5);
    // dL/dW[k, j] = (2/6) * sum_b x[b,k] y[b,j]
    const gw = out['w']?.data as Float32Array;
    assert.deepEqual(out['w']?.dims, [4, 3]);
    assert.ok(Math.abs((gw[0] as number) - (2 / 6) * (1 * 1 + 5 * 2.6)) < 1e-5);
    await session.release();
  });

  test('a shape error fails at trace time naming the op, operands and shapes', () => {
    const g = new Graph();
    const x = g.input('tokens_embedded', 'float32', ['batch', 'seq', 64]);
    const w = g.parameter('proj', 'float32', [32, 16]);
    assert.throws(
      () => ops.matmul(x, w),
      (e: Error) => /MatMul/.test(e.message) && /'tokens_embedded' float32\[batch, seq, 64\]/.test(e.message) && /'proj' float32\[32, 16\]/.test(e.message) && /64 with 32/.test(e.message),
    );
    const a = g.input('a', 'float32', ['batch', 5]);
    const b = g.input('b', 'float32', ['seq', 5]);
    assert.throws(() => ops.add(a, b), /Add: shapes \[batch, 5\], \[seq, 5\] do not broadcast/);
  });

  test('defineOp: hand-written backward replaces autodiff of the forward, raw contrib nodes infer shapes', async () => {
    // The doc-comment example: y = s * x^2 with dy/dx = 2 s x written by hand.
    const scaledSquare = defineOp<{ s: number }>({
      name: 'scaledSquare',
      forward: ([x], { s }) => ({ outputs: ops.mul(ops.mul(x as Tensor, x as Tensor), s), saved: { x: x as Tensor } }),
      // Deliberately 3x the true gradient so the test proves this rule (not autodiff) ran.
      backward: (ctx) => [ops.mul(ctx.gradOrZeros(0), ops.mul(ctx.saved['x'] as Tensor, 3 * 2 * ctx.attrs.s))],
    });
    const g = new Graph();
    const w = g.parameter('w', 'float32', [3]);
    const [y] = scaledSquare([w], { s: 2 });
    const loss = ops.sum(y as Tensor);
    const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, [w]) } }));
    const out = await session.run({ w: new Float32Array([1, 2, 3]) });
    assert.equal(out['loss']?.data[0], 2 * (1 + 4 + 9));
    assert.deepEqual([...(out['w']?.data as Float32Array)], [12, 24, 36]);
    await session.release();

    // A raw contrib node with two outputs (normalized value and inv_std) gets its shapes inferred.
    const g2 = new Graph();
    const h = g2.input('h', 'float32', ['batch', 8]);
    const scale = g2.initializer('scale', { data: new Float32Array(8).fill(1), shape: [8] });
    const [n, invStd] = g2.node('SimplifiedLayerNormalization', [h, scale], { axis: -1, epsilon: 1e-6 }, { outputs: 2 });
    assert.deepEqual(n?.shape, ['batch', 8]);
    assert.deepEqual(invStd?.shape, ['batch', 1]);
    const s2 = await EngineSession.create(g2.compile({ outputs: { n: n as Tensor, invStd: invStd as Tensor } }));
    const r = await s2.run({ h: new Float32Array([2, 2, 2, 2, 2, 2, 2, 2]) });
    assert.ok(Math.abs((r['invStd']?.data[0] as number) - 0.5) < 1e-4);
    assert.ok(Math.abs((r['n']?.data[3] as number) - 1) < 1e-4);
    await s2.release();
  });

  test('a custom op forward that captures a parameter instead of taking it as input is rejected', () => {
    const g = new Graph();
    const w = g.parameter('w', 'float32', [3]);
    const x = g.parameter('x', 'float32', [3]);
    const bad = defineOp({ name: 'capturesW', forward: ([a]) => ops.mul(a as Tensor, w), backward: () => [undefined] });
    assert.throws(() => bad([x], {}), /capturesW.*'w'.*not one of its inputs/);
  });

  test('stopGradient and frozen branches: no gradient flows, multiple uses accumulate', async () => {
    const g = new Graph();
    const w = g.parameter('w', 'float32', [2]);
    // loss = sum(w*w) + sum(stop(w)*w): d/dw = 2w + w = 3w
    const loss = ops.add(ops.sum(ops.mul(w, w)), ops.sum(ops.mul(stopGradient(w), w)));
    const s = await EngineSession.create(g.compile({ outputs: gradients(loss, [w]) }));
    const out = await s.run({ w: new Float32Array([1, -2]) });
    assert.deepEqual([...(out['w']?.data as Float32Array)], [3, -6]);
    await s.release();
  });
});
