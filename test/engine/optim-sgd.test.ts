import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SGD, type Parameter } from '../../core/engine/optim/index.js';

const scalar = (value: number): Parameter => ({ name: 'w', shape: [1], data: Float32Array.of(value) });
const close = (actual: number | undefined, expected: number): void =>
  assert.ok(Math.abs((actual as number) - expected) < 1e-6, `expected ${expected}, got ${actual}`);

describe('SGD', () => {
  test('plain SGD: p ← p − lr·g', () => {
    const p: Parameter = { name: 'w', shape: [2], data: Float32Array.of(1, -1) };
    new SGD([p]).step({ w: Float32Array.of(2, -3) }, 0.1);
    close(p.data[0], 0.8);
    close(p.data[1], -0.7);
  });

  test('momentum: the buffer starts at the gradient, then b ← μ·b + g', () => {
    const p = scalar(1);
    const opt = new SGD([p], { momentum: 0.9 });
    opt.step({ w: Float32Array.of(1) }, 0.1); // b = 1, p = 0.9
    close(p.data[0], 0.9);
    opt.step({ w: Float32Array.of(1) }, 0.1); // b = 1.9, p = 0.71
    close(p.data[0], 0.71);
  });

  test('Nesterov: p ← p − lr·(g + μ·b)', () => {
    const p = scalar(1);
    const opt = new SGD([p], { momentum: 0.9, nesterov: true });
    opt.step({ w: Float32Array.of(1) }, 0.1); // b = 1, d = 1.9
    close(p.data[0], 0.81);
    opt.step({ w: Float32Array.of(1) }, 0.1); // b = 1.9, d = 2.71
    close(p.data[0], 0.539);
  });

  test('dampening scales the new gradient after the first step', () => {
    const p = scalar(0);
    const opt = new SGD([p], { momentum: 0.5, dampening: 0.5 });
    opt.step({ w: Float32Array.of(2) }, 1); // b = 2
    close(p.data[0], -2);
    opt.step({ w: Float32Array.of(2) }, 1); // b = 0.5·2 + 0.5·2 = 2
    close(p.data[0], -4);
  });

  test('weight decay is added to the gradient (L2), scaled by the group', () => {
    const p = scalar(2);
    new SGD([p], { weightDecay: 0.5 }).step({ w: Float32Array.of(0) }, 0.1);
    close(p.data[0], 1.9);
    const q = scalar(2);
    new SGD([q], { weightDecay: 0.5, groups: [{ name: 'frozen-decay', match: /^w$/, weightDecay: 0, lrScale: 2 }] }).step(
      { w: Float32Array.of(1) },
      0.1,
    );
    close(q.data[0], 1.8);
  });

  test('rejects Nesterov without momentum and out-of-range momentum', () => {
    assert.throws(() => new SGD([scalar(1)], { nesterov: true }), /Nesterov momentum needs momentum > 0 and dampening 0/);
    assert.throws(() => new SGD([scalar(1)], { momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0.1/);
    assert.throws(() => new SGD([scalar(1)], { momentum: 1.5 }), /momentum must be in \[0, 1\), got 1.5/);
  });
});
