import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSession, Graph, gradients, ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { rng } from './gradcheck-helpers.js';

describe('engine training and values', () => {
  test('a two-layer MLP classifier trains to a lower loss with plain SGD', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 4]);
    const y = g.input('y', 'int64', ['batch']);
    const w1 = g.parameter('w1', 'float32', [4, 16]);
    const b1 = g.parameter('b1', 'float32', [16]);
    const w2 = g.parameter('w2', 'float32', [16, 3]);
    const h = ops.silu(ops.add(ops.matmul(x, w1), b1));
    const loss = ops.crossEntropy(ops.matmul(h, w2), y);
    const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, [w1, b1, w2]) } }), { intraOpThreads: 1 });
    const r = rng(5);
    const n = 64;
    const xs = Float32Array.from({ length: n * 4 }, () => 2 * r() - 1);
    // Class = which of three linear scores is largest: learnable by the MLP.
    const ys = BigInt64Array.from({ length: n }, (_, i) => {
      const v = [0, 1, 2].map((c) => xs[i * 4 + c] as number);
      return BigInt(v.indexOf(Math.max(...v)));
    });
    const params: Record<string, Float32Array> = {
      w1: Float32Array.from({ length: 64 }, () => (r() - 0.5) * 0.5),
      b1: new Float32Array(16),
      w2: Float32Array.from({ length: 48 }, () => (r() - 0.5) * 0.5),
    };
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      const out = await session.run({ x: xs, y: ys, ...params });
      losses.push(out['loss']?.data[0] as number);
      for (const [name, p] of Object.entries(params)) {
        const grad = out[name]?.data as Float32Array;
        for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - 0.5 * (grad[i] as number);
      }
    }
    await session.release();
    const first = losses[0] as number;
    const last = losses[losses.length - 1] as number;
    assert.ok(last < 0.5 * first, `loss went ${first} -> ${last}`);
  });

  test('crossEntropy and KL values match a direct computation', async () => {
    const g = new Graph();
    const logits = g.input('logits', 'float64', [3, 4]);
    const other = g.input('other', 'float64', [3, 4]);
    const y = g.input('y', 'int64', [3]);
    const ce = ops.crossEntropy(logits, y);
    const ceSmooth = ops.crossEntropy(logits, y, { labelSmoothing: 0.2 });
    const kl = ops.klFull(logits, other);
    const lp = ops.logSoftmax(logits);
    const lq = ops.logSoftmax(other);
    const k3 = ops.klK3(lp, lq);
    const s = await EngineSession.create(g.compile({ outputs: { ce, ceSmooth, kl, k3 } }));
    const L = Float64Array.from([1, 2, 3, 4, 0, 0, 1, -1, 2, 0.5, -0.5, 1]);
    const O = Float64Array.from([0, 1, 0, 1, 2, 2, 0, 0, -1, 0, 1, 3]);
    const Y = BigInt64Array.from([3n, -100n, 1n]);
    const out = await s.run({ logits: L, other: O, y: Y });
    const logp = (a: Float64Array, row: number): number[] => {
      const v = [...a.slice(row * 4, row * 4 + 4)];
      const m = Math.max(...v);
      const z = Math.log(v.reduce((acc, e) => acc + Math.exp(e - m), 0)) + m;
      return v.map((e) => e - z);
    };
    const rows = [0, 1, 2].map((i) => logp(L, i));
    const expectCe = (-(rows[0]?.[3] as number) - (rows[2]?.[1] as number)) / 2;
    assert.ok(Math.abs((out['ce']?.data[0] as number) - expectCe) < 1e-12);
    // Row 1 is ignored (-100): both means run over rows 0 and 2 only.
    const smooth = (row: number[], t: number): number => 0.8 * -(row[t] as number) + 0.2 * -(row.reduce((a, b) => a + b, 0) / 4);
    const expectSmooth = (smooth(rows[0] as number[], 3) + smooth(rows[2] as number[], 1)) / 2;
    assert.ok(Math.abs((out['ceSmooth']?.data[0] as number) - expectSmooth) < 1e-12);
    const qrows = [0, 1, 2].map((i) => logp(O, i));
    const klRow = (i: number): number => (rows[i] as number[]).reduce((a, lpv, j) => a + Math.exp(lpv) * (lpv - ((qrows[i] as number[])[j] as number)), 0);
    [0, 1, 2].forEach((i) => assert.ok(Math.abs((out['kl']?.data[i] as number) - klRow(i)) < 1e-12));
    const r01 = (qrows[0]?.[1] as number) - (rows[0]?.[1] as number);
    assert.ok(Math.abs((out['k3']?.data[1] as number) - (Math.exp(r01) - r01 - 1)) < 1e-12);
    await s.release();
  });

  test('rotary attention gradients agree between full ORT optimization and none (regression: Pad with axes broke the transpose optimizer)', async () => {
    const H = 16;
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 'seq', H]);
    const pos = g.input('pos', 'int64', ['batch', 'seq']);
    const mask = g.input('mask', 'int64', ['batch', 'seq']);
    const wq = g.parameter('wq', 'float32', [H, H]);
    const wk = g.parameter('wk', 'float32', [H, H]);
    const ln = g.parameter('ln', 'float32', [H]);
    const split = (t: Tensor): Tensor => ops.transpose(ops.reshape(t, ['batch', 'seq', 4, 4]), [0, 2, 1, 3]);
    const { cos, sin } = ops.rotaryTables(pos, 4);
    const h = ops.rmsNorm(x, ln);
    const q = ops.applyRotary(split(ops.matmul(h, wq)), cos, sin);
    const k = ops.applyRotary(split(ops.matmul(h, wk)), cos, sin);
    const y = ops.add(ops.matmul(q, ops.transposeLast2(k)), ops.maskToBias(ops.attentionMask(mask)));
    const loss = ops.mean(ops.mul(y, y));
    const program = g.compile({ outputs: { loss, ...gradients(loss, [wq, wk, ln]) } });
    const r = rng(3);
    const feeds = {
      x: Float32Array.from({ length: 2 * 5 * H }, () => r() - 0.5),
      pos: BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i % 5)),
      mask: BigInt64Array.from({ length: 10 }, (_, i) => (i === 9 ? 0n : 1n)),
      wq: Float32Array.from({ length: H * H }, () => r() - 0.5),
      wk: Float32Array.from({ length: H * H }, () => r() - 0.5),
      ln: Float32Array.from({ length: H }, () => 1 + r()),
    };
    const results: Float32Array[] = [];
    for (const level of ['all', 'disabled'] as const) {
      const s = await EngineSession.create(program, { graphOptimizationLevel: level });
      const out = await s.run(feeds, { dims: { batch: 2 } });
      results.push(Float32Array.from([...(out['wq']?.data as Float32Array), ...(out['wk']?.data as Float32Array)]));
      await s.release();
    }
    const [a, b] = results as [Float32Array, Float32Array];
    a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] as number)) < 1e-5 * (1 + Math.abs(v)), `wq[${i}]: ${v} vs ${b[i]}`));
  });
});
