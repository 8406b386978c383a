import { test, describe } from 'node:test';
import { ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { checkOp, randInt, rng } from './gradcheck-helpers.js';

const r = rng(11);
const B = randInt(r, 2, 3);
const S = randInt(r, 3, 4);
const H = randInt(r, 2, 4);
const t = (p: Record<string, Tensor>, k: string): Tensor => p[k] as Tensor;
const i64 = (xs: number[]): BigInt64Array => BigInt64Array.from(xs.map((x) => BigInt(x)));

describe('gradcheck: reductions and softmax', () => {
  test('sum over axes with and without keepdims', () =>
    checkOp({ params: { a: [B, S, H] }, build: (p) => ops.add(ops.sum(t(p, 'a'), [0, 2]), ops.sum(ops.sum(t(p, 'a'), -1, true), 0)) }));
  test('mean over the last axis', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.mean(t(p, 'a'), -1) }));
  test('max over an axis', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.max(t(p, 'a'), 1, true) }));
  test('logsumexp', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.logsumexp(t(p, 'a'), [1, 2]) }));
  test('softmax on a middle axis', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.softmax(t(p, 'a'), 1) }));
  test('logSoftmax', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.logSoftmax(t(p, 'a')) }));
  test('cumsum plain, exclusive and reverse', () =>
    checkOp({
      params: { a: [B, S] },
      build: (p) => ops.add(ops.cumsum(t(p, 'a'), 1), ops.mul(ops.cumsum(t(p, 'a'), 1, { exclusive: true, reverse: true }), 2)),
    }));
});

describe('gradcheck: matmul', () => {
  test('batched with broadcast batch dims', () => checkOp({ params: { a: [B, 1, S, H], b: [2, H, 3] }, build: (p) => ops.matmul(t(p, 'a'), t(p, 'b')) }));
  test('3-D activations times a shared 2-D weight', () => checkOp({ params: { x: [B, S, H], w: [H, 3] }, build: (p) => ops.matmul(t(p, 'x'), t(p, 'w')) }));
  test('vector operands', () => checkOp({ params: { v: [H], m: [H, S] }, build: (p) => ops.matmul(t(p, 'v'), t(p, 'm')) }));
});

describe('gradcheck: layout ops', () => {
  test('reshape with -1', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.mul(ops.reshape(t(p, 'a'), [-1, H]), ops.reshape(t(p, 'a'), [B * S, H])) }));
  test('transpose', () => checkOp({ params: { a: [B, S, H] }, build: (p) => ops.mul(ops.transpose(t(p, 'a'), [2, 0, 1]), 1.5) }));
  test('concat', () => checkOp({ params: { a: [B, S], b: [B, 2] }, build: (p) => ops.concat([t(p, 'a'), t(p, 'b'), t(p, 'a')], 1) }));
  test('slice on two axes with negative bounds', () =>
    checkOp({ params: { a: [B, S, H] }, build: (p) => ops.slice(t(p, 'a'), [{ axis: 1, start: 1 }, { axis: -1, end: -1 }]) }));
  test('expand', () => checkOp({ params: { a: [S, 1] }, build: (p) => ops.expandTo(t(p, 'a'), [B, S, H]) }));
  test('squeeze and unsqueeze', () => checkOp({ params: { a: [B, 1, H] }, build: (p) => ops.unsqueeze(ops.squeeze(t(p, 'a'), 1), [0, 3]) }));
});

describe('gradcheck: indexing', () => {
  test('gather rows (embedding) with repeated ids accumulates', () =>
    checkOp({ params: { emb: [5, H] }, inputs: { ids: { dtype: 'int64', shape: [2, 3], data: i64([1, 3, 1, 4, 1, 0]) } }, build: (p) => ops.gather(t(p, 'emb'), t(p, 'ids')) }));
  test('gather along axis 1', () =>
    checkOp({ params: { a: [B, 4, H] }, inputs: { ids: { dtype: 'int64', shape: [3], data: i64([2, 0, 2]) } }, build: (p) => ops.gather(t(p, 'a'), t(p, 'ids'), 1) }));
  test('takeAlongAxis (target log-probs)', () =>
    checkOp({
      params: { a: [2, 3, 5] },
      inputs: { idx: { dtype: 'int64', shape: [2, 3, 1], data: i64([4, 0, 2, 2, 2, 1]) } },
      build: (p) => ops.takeAlongAxis(ops.logSoftmax(t(p, 'a')), t(p, 'idx'), -1),
    }));
  test('gatherRows (last prompt token per row)', () =>
    checkOp({ params: { h: [3, 4, H] }, inputs: { last: { dtype: 'int64', shape: [3], data: i64([3, 0, 2]) } }, build: (p) => ops.gatherRows(t(p, 'h'), t(p, 'last')) }));
});
