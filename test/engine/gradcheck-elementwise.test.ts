import { test, describe } from 'node:test';
import { ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { checkOp, randInt, rng } from './gradcheck-helpers.js';

const r = rng(7);
const B = randInt(r, 2, 3);
const N = randInt(r, 2, 4);
const t = (p: Record<string, Tensor>, k: string): Tensor => p[k] as Tensor;

describe('gradcheck: elementwise ops (float64 vs central differences)', () => {
  test('add with broadcasting of both operands', () => checkOp({ params: { a: [B, 1, N], b: [3, N] }, build: (p) => ops.add(t(p, 'a'), t(p, 'b')) }));
  test('sub with a scalar-shaped operand', () => checkOp({ params: { a: [B, N], b: [1] }, build: (p) => ops.sub(t(p, 'a'), t(p, 'b')) }));
  test('mul with broadcasting', () => checkOp({ params: { a: [B, N], b: [N] }, build: (p) => ops.mul(t(p, 'a'), t(p, 'b')) }));
  test('div', () => checkOp({ params: { a: [B, N], b: [B, 1] }, positive: true, build: (p) => ops.div(t(p, 'a'), t(p, 'b')) }));
  test('pow (base and exponent)', () => checkOp({ params: { a: [B, N], b: [N] }, positive: true, build: (p) => ops.pow(t(p, 'a'), t(p, 'b')) }));
  test('neg', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.neg(t(p, 'a')) }));
  test('sqrt and rsqrt', () => checkOp({ params: { a: [B, N] }, positive: true, build: (p) => ops.add(ops.sqrt(t(p, 'a')), ops.rsqrt(t(p, 'a'))) }));
  test('exp and log', () => checkOp({ params: { a: [B, N] }, positive: true, build: (p) => ops.mul(ops.exp(t(p, 'a')), ops.log(t(p, 'a'))) }));
  test('tanh', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.tanh(t(p, 'a')) }));
  test('sigmoid', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.sigmoid(t(p, 'a')) }));
  test('silu', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.silu(t(p, 'a')) }));
  test('gelu (tanh form)', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.gelu(t(p, 'a'), 'tanh') }));
  test('gelu (erf form): float64 forward computed in float32, gradient exact', () =>
    // The float32 forward makes tiny-step differences noisy; a 1e-3 step keeps them meaningful.
    checkOp({ params: { a: [B, N] }, eps: 1e-3, atol: 2e-4, rtol: 1e-3, build: (p) => ops.gelu(t(p, 'a')) }));
  test('softplus (the stable form whose gradient is sigmoid)', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.softplus(ops.mul(t(p, 'a'), 4)) }));
  test('abs', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.abs(t(p, 'a')) }));
  test('sin and cos', () => checkOp({ params: { a: [B, N] }, build: (p) => ops.mul(ops.sin(t(p, 'a')), ops.cos(t(p, 'a'))) }));
  test('clamp passes gradient only inside the range', () => checkOp({ params: { a: [B, N, 3] }, build: (p) => ops.clamp(t(p, 'a'), -0.4, 0.5) }));
  test('minimum and maximum', () =>
    checkOp({ params: { a: [B, N], b: [N] }, build: (p) => ops.add(ops.maximum(t(p, 'a'), t(p, 'b')), ops.mul(ops.minimum(t(p, 'a'), t(p, 'b')), 2)) }));
  test('where with broadcast branches', () =>
    checkOp({
      params: { a: [B, N], b: [N] },
      build: (p) => ops.where(ops.greater(t(p, 'a'), 0), t(p, 'a'), ops.mul(t(p, 'b'), 3)),
    }));
  test('cast round trip through float32', () =>
    checkOp({ params: { a: [B, N] }, eps: 1e-3, atol: 1e-4, rtol: 1e-3, build: (p) => ops.mul(ops.cast(ops.cast(t(p, 'a'), 'float32'), 'float64'), t(p, 'a')) }));
});
