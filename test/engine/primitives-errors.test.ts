/** Bad arguments to the primitives fail at trace time with the primitive, operand and expectation named. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../core/engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, swiglu, vocabKl } from '../../core/engine/primitives/index.js';

describe('primitives: argument errors', () => {
  test('linear names the mismatched weight, LoRA factor and dtype', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 8]);
    assert.throws(() => linear(x, g.input('w', 'float32', [4, 7])), /primitives\.linear: weight 'w' float32\[4, 7\] dim 1 \(in\) is 7 but the last dim of x 'x' float32\[batch, 8\] is 8/);
    const w = g.input('w2', 'float32', [4, 8]);
    assert.throws(() => linear(x, w, { lora: { a: g.input('a', 'float32', [2, 8]), b: g.input('b', 'float32', [4, 3]), scale: 1 } }), /lora\.b .* dim 1 \(r\) is 3 but lora\.a's rank dim/);
    assert.throws(() => linear(x, g.input('w64', 'float64', [4, 8])), /weight 'w64' float64\[4, 8\] has dtype float64, but 'x' float32\[batch, 8\] is float32/);
    assert.throws(() => linear(x, w, { bias: g.input('bias', 'float32', [5]) }), /bias 'bias' float32\[5\] length is 5 but weight's out dim/);
  });

  test('attention rejects heads that are not a multiple of kv heads and short causal keys', () => {
    const g = new Graph();
    const q = g.input('q', 'float32', [1, 5, 4, 8]);
    const kv = g.input('k', 'float32', [1, 2, 4, 8]);
    assert.throws(() => attention(q, kv, kv, { scale: 1, causal: true }), /primitives\.attention: q's heads \(5\) must be a multiple of k\/v's kv_heads \(2\)/);
    const q2 = g.input('q2', 'float32', [1, 2, 6, 8]);
    assert.throws(() => attention(q2, kv, kv, { scale: 1, causal: true }), /needs k's length \(4\) >= q's \(6\)/);
    assert.throws(() => attention(q2, kv, kv, { scale: 1, causal: false, keyPaddingMask: g.input('m', 'float32', [1, 3]) }), /keyPaddingMask 'm' float32\[1, 3\] dim 1 \(S\) is 3 but k's sequence dim/);
  });

  test('rmsNorm, rotary, swiglu and the lm-head ops check their operands', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3, 6]);
    assert.throws(() => rmsNorm(x, g.input('w', 'float32', [5]), 1e-6), /primitives\.rmsNorm: weight 'w' float32\[5\] length is 5 but the last dim of x/);
    assert.throws(() => rmsNorm(x, g.input('w6', 'float32', [6]), 0), /eps must be a positive finite number/);
    const x4 = g.input('x4', 'float32', [1, 2, 3, 5]);
    assert.throws(() => rotaryEmbedding(x4, g.input('c', 'float32', [1, 3, 5]), g.input('s', 'float32', [1, 3, 5])), /head_dim of x 'x4' float32\[1, 2, 3, 5\] must be an even number/);
    assert.throws(() => swiglu(x, g.input('u', 'float32', [3, 5])), /primitives\.swiglu: gate 'x' float32\[3, 6\] and up 'u' float32\[3, 5\] must have the same shape/);
    const head = g.input('head', 'float32', [10, 6]);
    assert.throws(() => lmHeadCrossEntropy(x, head, g.input('y32', 'int32', [3])), /labels 'y32' int32\[3\] must be int64 token ids/);
    assert.throws(() => lmHeadCrossEntropy(x, head, g.input('y', 'int64', [3]), { labelSmoothing: 1 }), /labelSmoothing must be in \[0, 1\), got 1/);
    assert.throws(() => vocabKl(x, g.input('r', 'float32', [4, 6]), head, g.input('m', 'float32', [3])), /referenceHidden 'r' float32\[4, 6\] dim 0 \(T\) is 4 but policyHidden's T/);
  });
});
