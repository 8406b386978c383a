import { test, describe } from 'node:test';
import { ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { checkOp, randInt, rng } from './gradcheck-helpers.js';

const r = rng(23);
const B = randInt(r, 2, 3);
const S = randInt(r, 3, 4);
const D = 2 * randInt(r, 1, 2);
const V = randInt(r, 4, 6);
const t = (p: Record<string, Tensor>, k: string): Tensor => p[k] as Tensor;
const i64 = (xs: number[]): BigInt64Array => BigInt64Array.from(xs.map((x) => BigInt(x)));
const targets = i64(Array.from({ length: B * S }, (_, i) => (i % 3 === 2 ? -100 : (i * 7) % V)));

describe('gradcheck: composites', () => {
  test('rmsNorm (input and weight)', () => checkOp({ params: { x: [B, S, D], w: [D] }, build: (p) => ops.rmsNorm(t(p, 'x'), t(p, 'w'), 1e-6) }));
  test('layerNorm (input, weight, bias)', () => checkOp({ params: { x: [B, D + 1], w: [D + 1], b: [D + 1] }, build: (p) => ops.layerNorm(t(p, 'x'), t(p, 'w'), t(p, 'b')) }));
  test('rotary embedding from position ids', () =>
    checkOp({
      params: { q: [B, 2, S, D] },
      inputs: { pos: { dtype: 'int64', shape: [B, S], data: i64(Array.from({ length: B * S }, (_, i) => i % S)) } },
      build: (p) => {
        const { cos, sin } = ops.rotaryTables(t(p, 'pos'), D, 10000, 'float64');
        return ops.applyRotary(t(p, 'q'), cos, sin);
      },
    }));
  test('masked attention: causal + padding bias, softmax, value mix', () =>
    checkOp({
      params: { q: [B, S, D], k: [B, S, D], v: [B, S, D] },
      inputs: { mask: { dtype: 'int64', shape: [B, S], data: i64(Array.from({ length: B * S }, (_, i) => (i % S === S - 1 && i < S ? 0 : 1))) } },
      build: (p) => {
        const scores = ops.mul(ops.matmul(t(p, 'q'), ops.transposeLast2(t(p, 'k'))), 1 / Math.sqrt(D));
        const bias = ops.maskToBias(ops.squeeze(ops.attentionMask(t(p, 'mask')), 1), 'float64');
        return ops.matmul(ops.softmax(ops.add(scores, bias), -1), t(p, 'v'));
      },
    }));
  test('crossEntropy with ignore index (mean over valid targets)', () =>
    checkOp({ params: { logits: [B, S, V] }, inputs: { y: { dtype: 'int64', shape: [B, S], data: targets } }, build: (p) => ops.crossEntropy(t(p, 'logits'), t(p, 'y')) }));
  test('crossEntropy with label smoothing, per-token', () =>
    checkOp({
      params: { logits: [B, S, V] },
      inputs: { y: { dtype: 'int64', shape: [B, S], data: targets } },
      build: (p) => ops.crossEntropy(t(p, 'logits'), t(p, 'y'), { labelSmoothing: 0.1, reduction: 'none' }),
    }));
  test('KL k1 and k3 estimators on token log-probs', () =>
    checkOp({ params: { lp: [B, S], ref: [B, S] }, build: (p) => ops.add(ops.klK1(t(p, 'lp'), t(p, 'ref')), ops.klK3(t(p, 'lp'), t(p, 'ref'))) }));
  test('full-vocabulary KL between two logit tensors', () => checkOp({ params: { p: [B, S, V], q: [B, S, V] }, build: (p) => ops.klFull(t(p, 'p'), t(p, 'q')) }));
});
