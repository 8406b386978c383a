import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AdamW, noDecayForNormsAndBiases, type Parameter } from '../../core/engine/optim/index.js';

const param = (name: string, values: number[], shape: number[] = [values.length]): Parameter => ({ name, shape, data: Float32Array.from(values) });

describe('AdamW', () => {
  test('first step moves each weight by lr·sign(g) whatever the gradient scale', () => {
    const p = param('w', [0.5, 0.5, 0.5, 0.5, 0.5]);
    const opt = new AdamW([p], { weightDecay: 0 });
    const g = Float32Array.from([1e-3, -5, 0.2, -1e-2, 300]);
    opt.step({ w: g }, 0.01);
    const expected = [0.49, 0.51, 0.49, 0.51, 0.49];
    p.data.forEach((value, i) => assert.ok(Math.abs(value - (expected[i] as number)) < 1e-6, `index ${i}: ${value}`));
    assert.equal(opt.stepCount, 1);
  });

  test('two steps match the hand-computed bias-corrected update', () => {
    // m1 = 0.05, v1 = 2.5e-4 -> p = 1 - 0.1·0.5/0.5 = 0.9
    // m2 = 0.02, v2 = 3.1225e-4, m̂ = 0.02/0.19, v̂ = 3.1225e-4/0.001999 -> p ≈ 0.8733663
    const p = param('w', [1]);
    const opt = new AdamW([p], { weightDecay: 0 });
    opt.step({ w: Float32Array.of(0.5) }, 0.1);
    assert.ok(Math.abs((p.data[0] as number) - 0.9) < 1e-6);
    opt.step({ w: Float32Array.of(-0.25) }, 0.1);
    assert.ok(Math.abs((p.data[0] as number) - 0.8733663) < 1e-6, String(p.data[0]));
  });

  test('decoupled weight decay multiplies by (1 − lr·wd) independently of the gradient', () => {
    const p = param('w', [2, -4]);
    const opt = new AdamW([p], { weightDecay: 0.1 });
    for (let k = 1; k <= 3; k++) {
      opt.step({ w: new Float32Array(2) }, 0.5);
      assert.ok(Math.abs((p.data[0] as number) - 2 * 0.95 ** k) < 1e-6);
      assert.ok(Math.abs((p.data[1] as number) + 4 * 0.95 ** k) < 1e-6);
    }
    // With a gradient, decay and the Adam move add: 3·(1 − 0.01·0.1) − 0.01·sign(g).
    const q = param('q', [3]);
    new AdamW([q], { weightDecay: 0.1 }).step({ q: Float32Array.of(-2) }, 0.01);
    assert.ok(Math.abs((q.data[0] as number) - (3 * 0.999 + 0.01)) < 1e-6);
  });

  test('parameter groups: no decay for norms and biases, lrScale per group', () => {
    const weight = param('layers.0.mlp.weight', [1, 1, 1, 1], [2, 2]);
    const norm = param('layers.0.input_layernorm.weight', [1, 1], [2]);
    const bias = param('head.bias', [1], [1]);
    const head = param('emotion_head.weight', [0, 0], [1, 2]);
    const opt = new AdamW([weight, norm, bias, head], {
      weightDecay: 0.5,
      groups: [noDecayForNormsAndBiases, { name: 'head', match: /^emotion_head\./, lrScale: 10 }],
    });
    assert.equal(opt.groupOf('layers.0.input_layernorm.weight')?.name, 'no-decay');
    assert.equal(opt.groupOf('head.bias')?.weightDecay, 0);
    assert.equal(opt.groupOf('layers.0.mlp.weight')?.name, 'default');
    opt.step(
      {
        'layers.0.mlp.weight': new Float32Array(4),
        'layers.0.input_layernorm.weight': new Float32Array(2),
        'head.bias': new Float32Array(1),
        'emotion_head.weight': Float32Array.of(1, -1),
      },
      0.1,
    );
    assert.ok(Math.abs((weight.data[0] as number) - 0.95) < 1e-6, 'decayed');
    assert.equal(norm.data[0], 1);
    assert.equal(bias.data[0], 1);
    assert.ok(Math.abs((head.data[0] as number) + 1) < 1e-5, `head moved by lr·10: ${head.data[0]}`);
    assert.ok(Math.abs((head.data[1] as number) - 1) < 1e-5);
  });

  test('decay uses the group learning rate (lr·lrScale)', () => {
    const p = param('w', [1]);
    new AdamW([p], { weightDecay: 0.1, groups: [{ name: 'fast', match: /^w$/, lrScale: 2 }] }).step({ w: Float32Array.of(0) }, 0.5);
    assert.ok(Math.abs((p.data[0] as number) - (1 - 0.5 * 2 * 0.1)) < 1e-6, String(p.data[0]));
  });

  test('a missing gradient names the parameter and leaves every weight untouched', () => {
    const a = param('a', [1, 2]);
    const b = param('b', [3]);
    const opt = new AdamW([a, b]);
    assert.throws(() => opt.step({ a: Float32Array.of(1, 1) }, 0.1), /no gradient for parameter 'b'/);
    assert.deepEqual([...a.data], [1, 2]);
    assert.equal(opt.stepCount, 0);
    assert.throws(() => opt.step({ a: Float32Array.of(1), b: Float32Array.of(1) }, 0.1), /gradient for 'a' has 1 values but the parameter has 2/);
  });

  test('rejects bad hyperparameters and parameters with clear errors', () => {
    const p = param('w', [1]);
    assert.throws(() => new AdamW([p], { beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
    assert.throws(() => new AdamW([p], { weightDecay: -1 }), /weightDecay must be a finite number >= 0, got -1/);
    assert.throws(() => new AdamW([p, param('w', [2])]), /'w' is listed twice/);
    assert.throws(() => new AdamW([{ name: 'x', shape: [2, 2], data: new Float32Array(3) }]), /shape \[2, 2\] \(4 values\) but its data holds 3/);
    assert.throws(() => new AdamW([p]).step({ w: Float32Array.of(1) }, Number.NaN), /learning rate must be a finite number >= 0, got NaN/);
  });
});
