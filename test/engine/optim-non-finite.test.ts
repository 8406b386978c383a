import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkFinite, findNonFinite, NonFiniteError } from '../../core/engine/optim/index.js';

const messageOf = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NonFiniteError);
    return error.message;
  }
  assert.fail('expected a NonFiniteError');
};

describe('non-finite detection', () => {
  test('names the step, the loss term and the value, and says what to try', () => {
    const message = messageOf(() => checkFinite(17, { losses: { lm: 2.3, emotion_head: Number.NaN } }));
    assert.match(message, /at step 17: loss term 'emotion_head' is NaN/);
    assert.match(message, /lower learning rate/);
    assert.match(message, /clipping/);
    assert.match(message, /check this batch/);
  });

  test('names the gradient, the first bad index and the count', () => {
    const gradients = { ok: Float32Array.of(1, 2), 'layers.3.lora_A': Float32Array.of(0, Number.NEGATIVE_INFINITY, Number.NaN) };
    const message = messageOf(() => checkFinite(5, { losses: { lm: 1 }, gradients }));
    assert.match(message, /gradient 'layers\.3\.lora_A' has -Infinity at flat index 1 \(2 non-finite values\)/);
  });

  test('checks parameters after an update and passes clean inputs', () => {
    const parameters = [{ name: 'w', shape: [2], data: Float32Array.of(1, Number.NaN) }];
    assert.match(messageOf(() => checkFinite(9, { parameters })), /parameter 'w' has NaN at flat index 1.*last good checkpoint/);
    checkFinite(1, { losses: { lm: 0.5 }, gradients: { g: Float32Array.of(3.4e38, 3.4e38, -3.4e38) }, parameters: [] });
  });

  test('findNonFinite is exact for large finite values that would overflow float32 sums', () => {
    assert.equal(findNonFinite(new Float32Array(1000).fill(3.4e38)), undefined);
    assert.deepEqual(findNonFinite(Float32Array.of(1, 2, Number.POSITIVE_INFINITY)), { index: 2, value: Number.POSITIVE_INFINITY, count: 1 });
  });
});
