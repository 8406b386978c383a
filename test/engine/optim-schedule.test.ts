import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createLrSchedule, withLrMultiplier } from '../../core/engine/optim/index.js';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);

describe('learning-rate schedules', () => {
  test('constant with warmup ramps to the peak, the first step already non-zero', () => {
    const lr = createLrSchedule({ kind: 'constant', lr: 1e-3, warmupSteps: 4 });
    close(lr(0), 2.5e-4);
    close(lr(3), 1e-3);
    close(lr(1000), 1e-3);
    close(createLrSchedule({ kind: 'constant', lr: 0.1 })(0), 0.1);
  });

  test('linear decays from the peak after warmup to lr·minLrRatio and stays there', () => {
    const lr = createLrSchedule({ kind: 'linear', lr: 1, warmupSteps: 2, totalSteps: 12, minLrRatio: 0.1 });
    close(lr(0), 0.5);
    close(lr(2), 1);
    close(lr(7), 0.1 + 0.9 * 0.5);
    close(lr(12), 0.1);
    close(lr(50), 0.1);
  });

  test('cosine follows ½(1 + cos πt) between the peak and the floor', () => {
    const lr = createLrSchedule({ kind: 'cosine', lr: 2, totalSteps: 100, minLrRatio: 0.2 });
    close(lr(0), 2);
    close(lr(50), 2 * (0.2 + 0.8 * 0.5));
    close(lr(25), 2 * (0.2 + 0.8 * 0.5 * (1 + Math.cos(Math.PI / 4))));
    close(lr(100), 0.4);
    assert.ok(lr(60) < lr(40));
  });

  test('per-phase multiplier hook scales the schedule by step', () => {
    const base = createLrSchedule({ kind: 'constant', lr: 1 });
    const phased = withLrMultiplier(base, (step) => (step < 10 ? 1 : 0.5));
    close(phased(9), 1);
    close(phased(10), 0.5);
    assert.throws(() => withLrMultiplier(base, () => Number.NaN)(3), /multiplier at step 3 is NaN/);
  });

  test('invalid configs and steps get located errors', () => {
    assert.throws(() => createLrSchedule({ kind: 'linear', lr: 1, warmupSteps: 20, totalSteps: 10 }), /warmupSteps \(20\) exceeds totalSteps \(10\)/);
    assert.throws(() => createLrSchedule({ kind: 'cosine', lr: 1, totalSteps: 10, minLrRatio: 2 }), /minLrRatio/);
    assert.throws(() => createLrSchedule({ kind: 'constant', lr: -1 }), /lr:/);
    assert.throws(() => createLrSchedule({ kind: 'constant', lr: 1 })(-1), /step must be an integer >= 0, got -1/);
  });
});
