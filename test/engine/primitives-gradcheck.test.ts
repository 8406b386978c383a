/**
 * Float64 central-difference gradchecks of every hand-written primitive backward.
 *
 * All primitives run their float32 formulation in float64 too (Gemm, FusedMatMul, Split, ScatterElements
 * and Gather have double kernels), with one exception: rmsNorm's contrib SimplifiedLayerNormalization
 * computes inv_std in float32 even for double input, so float64 rmsNorm computes it with standard
 * ops; its backward is the same code, and primitives-reference.test.ts checks the float32 contrib
 * path against a plain-JS reference and against these float64 gradients.
 */
import { test, describe } from 'node:test';
import { ops } from '../../core/engine/index.js';
import type { Graph, Tensor } from '../../core/engine/index.js';
import { attention, linear, linearGroup, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, rotaryEmbeddingFromHalves, swiglu, tokenLogProbs, vocabKl } from '../../core/engine/primitives/index.js';
import { checkOp, randArray, rng } from './gradcheck-helpers.js';

const t = (p: Record<string, Tensor>, k: string): Tensor => p[k] as Tensor;
const i64 = (xs: number[]): BigInt64Array => BigInt64Array.from(xs.map((x) => BigInt(x)));
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A frozen float64 weight (an initializer: no gradient may be computed for it). */
function frozen(g: Graph, name: string, shape: number[], seed: number): Tensor {
  return g.initializer(name, { data: randArray(rng(seed), size(shape)), shape });
}

/** Rotary tables for arbitrary (non-contiguous) positions, HF layout [B, S, hd]. */
function tables(B: number, S: number, hd: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(B * S * hd);
  const sin = new Float64Array(B * S * hd);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const pos = 3 * b + 2 * s + 1;
      for (let i = 0; i < hd; i++) {
        const f = pos / Math.pow(10000, (2 * (i % (hd / 2))) / hd);
        cos[(b * S + s) * hd + i] = Math.cos(f);
        sin[(b * S + s) * hd + i] = Math.sin(f);
      }
    }
  }
  return { cos, sin };
}

describe('primitives gradcheck (float64 central differences)', () => {
  test('linear: x, W and bias trainable, no LoRA', () =>
    checkOp({ params: { x: [2, 3, 5], w: [4, 5], b: [4] }, build: (p) => linear(t(p, 'x'), t(p, 'w'), { bias: t(p, 'b') }) }));

  test('linear: frozen W, LoRA with non-zero B, x trainable', () =>
    checkOp({
      params: { x: [2, 3, 5], a: [2, 5], b: [4, 2] },
      build: (p, g) => linear(t(p, 'x'), frozen(g, 'w', [4, 5], 7), { lora: { a: t(p, 'a'), b: t(p, 'b'), scale: 0.7 } }),
    }));

  test('linear: LoRA with dropout mask and frozen bias, x an input (no dX)', () => {
    const r = rng(3);
    const mask = Float64Array.from({ length: 2 * 3 * 5 }, () => (r() < 0.3 ? 0 : 1 / 0.7));
    return checkOp({
      params: { a: [3, 5], b: [4, 3] },
      inputs: { x: { dtype: 'float64', shape: [2, 3, 5], data: randArray(rng(4), 30) }, m: { dtype: 'float64', shape: [2, 3, 5], data: mask } },
      build: (p, g) =>
        linear(t(p, 'x'), frozen(g, 'w', [4, 5], 8), { bias: frozen(g, 'bias', [4], 9), lora: { a: t(p, 'a'), b: t(p, 'b'), scale: 2, dropoutMask: t(p, 'm') } }),
    });
  });

  test('linear: everything trainable with LoRA and dropout (x, W, bias, A, B)', () => {
    const r = rng(5);
    const mask = Float64Array.from({ length: 3 * 4 }, () => (r() < 0.25 ? 0 : 4 / 3));
    return checkOp({
      params: { x: [3, 4], w: [5, 4], bias: [5], a: [2, 4], b: [5, 2] },
      inputs: { m: { dtype: 'float64', shape: [3, 4], data: mask } },
      build: (p) => linear(t(p, 'x'), t(p, 'w'), { bias: t(p, 'bias'), lora: { a: t(p, 'a'), b: t(p, 'b'), scale: 0.5, dropoutMask: t(p, 'm') } }),
    });
  });

  test('linearGroup: q/k/v-like group with stacked LoRA A (ranks 2, 3, 2; own scales; biases on two), frozen W, x trainable', () =>
    checkOp({
      params: { x: [2, 3, 5], a1: [2, 5], b1: [4, 2], a2: [3, 5], b2: [2, 3], a3: [2, 5], b3: [2, 2] },
      build: (p, g) => {
        const [q, k, v] = linearGroup(t(p, 'x'), [
          { weight: frozen(g, 'wq', [4, 5], 11), bias: frozen(g, 'bq', [4], 12), lora: { a: t(p, 'a1'), b: t(p, 'b1'), scale: 0.7 } },
          { weight: frozen(g, 'wk', [2, 5], 13), bias: frozen(g, 'bk', [2], 14), lora: { a: t(p, 'a2'), b: t(p, 'b2'), scale: 2 } },
          { weight: frozen(g, 'wv', [2, 5], 15), lora: { a: t(p, 'a3'), b: t(p, 'b3'), scale: 1.5 } },
        ]) as [Tensor, Tensor, Tensor];
        return ops.concat([q, k, v], -1);
      },
    }));

  test('linearGroup: everything trainable (x, W, bias, A, B); and x an input (A, B only)', async () => {
    await checkOp({
      params: { x: [3, 4], w1: [5, 4], c1: [5], a1: [2, 4], b1: [5, 2], w2: [3, 4], a2: [2, 4], b2: [3, 2] },
      build: (p) => {
        const [y1, y2] = linearGroup(t(p, 'x'), [
          { weight: t(p, 'w1'), bias: t(p, 'c1'), lora: { a: t(p, 'a1'), b: t(p, 'b1'), scale: 0.5 } },
          { weight: t(p, 'w2'), lora: { a: t(p, 'a2'), b: t(p, 'b2'), scale: 3 } },
        ]) as [Tensor, Tensor];
        return ops.concat([y1, y2], -1);
      },
    });
    await checkOp({
      params: { a1: [2, 4], b1: [5, 2], a2: [2, 4], b2: [3, 2] },
      inputs: { x: { dtype: 'float64', shape: [2, 3, 4], data: randArray(rng(21), 24) } },
      build: (p, g) => {
        const [y1, y2] = linearGroup(t(p, 'x'), [
          { weight: frozen(g, 'w1', [5, 4], 22), lora: { a: t(p, 'a1'), b: t(p, 'b1'), scale: 0.5 } },
          { weight: frozen(g, 'w2', [3, 4], 23), lora: { a: t(p, 'a2'), b: t(p, 'b2'), scale: 3 } },
        ]) as [Tensor, Tensor];
        return ops.concat([y1, y2], -1);
      },
    });
  });

  test('rotaryEmbeddingFromHalves in float64 (the portable path), both layouts', async () => {
    const r = rng(31);
    const half = Float64Array.from({ length: 2 * 3 * 2 }, () => 2 * r() - 1);
    const tablesIn = { cos: { dtype: 'float64' as const, shape: [2, 3, 2], data: half }, sin: { dtype: 'float64' as const, shape: [2, 3, 2], data: half.map((v) => Math.sqrt(1 - v * v)) } };
    await checkOp({ params: { x: [2, 2, 3, 4] }, inputs: tablesIn, build: (p) => rotaryEmbeddingFromHalves(t(p, 'x'), t(p, 'cos'), t(p, 'sin')) });
    await checkOp({ params: { x: [2, 3, 8] }, inputs: tablesIn, build: (p) => rotaryEmbeddingFromHalves(t(p, 'x'), t(p, 'cos'), t(p, 'sin'), 2) });
  });

  test('rmsNorm: input and weight', () => checkOp({ params: { x: [2, 3, 6], w: [6] }, build: (p) => rmsNorm(t(p, 'x'), t(p, 'w'), 1e-6) }));

  test('rmsNorm: frozen weight, rank-2 input, large eps', () =>
    checkOp({ params: { x: [4, 5] }, build: (p, g) => rmsNorm(t(p, 'x'), frozen(g, 'w', [5], 11), 0.5) }));

  test('rotaryEmbedding: x with per-position tables (inputs)', () => {
    const { cos, sin } = tables(2, 3, 6);
    return checkOp({
      params: { x: [2, 2, 3, 6] },
      inputs: { cos: { dtype: 'float64', shape: [2, 3, 6], data: cos }, sin: { dtype: 'float64', shape: [2, 3, 6], data: sin } },
      build: (p) => rotaryEmbedding(t(p, 'x'), t(p, 'cos'), t(p, 'sin')),
    });
  });

  test('rotaryEmbedding: trainable tables broadcast over the batch (B = 1)', () =>
    checkOp({ params: { x: [2, 3, 2, 4], cos: [1, 2, 4], sin: [1, 2, 4] }, build: (p) => rotaryEmbedding(t(p, 'x'), t(p, 'cos'), t(p, 'sin')) }));

  // Right padding only: with causal masking every query keeps key 0, so no row is fully masked
  // (a fully masked row's scores sit at −1e9, where float64 finite differences lose their digits).
  const rightPad = Float64Array.from([1, 1, 1, 1, 1, 1, 0, 0]);

  test('attention: grouped-query (4 heads, 2 kv heads), causal + padding mask', () =>
    checkOp({
      params: { q: [2, 4, 4, 3], k: [2, 2, 4, 3], v: [2, 2, 4, 3] },
      inputs: { m: { dtype: 'float64', shape: [2, 4], data: rightPad } },
      build: (p) => attention(t(p, 'q'), t(p, 'k'), t(p, 'v'), { scale: 0.6, causal: true, keyPaddingMask: t(p, 'm') }),
    }));

  test('attention: 3 query heads per kv head, causal, no padding', () =>
    checkOp({
      params: { q: [1, 3, 3, 2], k: [1, 1, 3, 2], v: [1, 1, 3, 2] },
      build: (p) => attention(t(p, 'q'), t(p, 'k'), t(p, 'v'), { scale: 1 / Math.sqrt(2), causal: true }),
    }));

  test('attention: multi-head (nH = nKV), padding only, frozen v', () =>
    checkOp({
      params: { q: [2, 2, 4, 3], k: [2, 2, 4, 3] },
      inputs: { m: { dtype: 'float64', shape: [2, 4], data: Float64Array.from([1, 0, 1, 1, 1, 1, 1, 0]) } },
      build: (p, g) => attention(t(p, 'q'), t(p, 'k'), frozen(g, 'v', [2, 2, 4, 3], 12), { scale: 0.5, causal: false, keyPaddingMask: t(p, 'm') }),
    }));

  test('attention: queries shorter than keys (KV-cache layout), causal + padding, GQA', () =>
    checkOp({
      params: { q: [2, 4, 2, 3], k: [2, 2, 4, 3], v: [2, 2, 4, 3] },
      inputs: { m: { dtype: 'float64', shape: [2, 4], data: Float64Array.from([0, 1, 1, 1, 1, 1, 1, 1]) } },
      build: (p) => attention(t(p, 'q'), t(p, 'k'), t(p, 'v'), { scale: 0.8, causal: true, keyPaddingMask: t(p, 'm') }),
    }));

  test('swiglu: gate and up', () => checkOp({ params: { gate: [3, 7], up: [3, 7] }, build: (p) => swiglu(t(p, 'gate'), t(p, 'up')) }));

  const labels = i64([2, -100, 0, 4, -100, 1]);

  test('lmHeadCrossEntropy: frozen head, ignore index (gather formulation)', () =>
    checkOp({
      params: { h: [6, 4] },
      inputs: { y: { dtype: 'int64', shape: [6], data: labels } },
      build: (p, g) => lmHeadCrossEntropy(t(p, 'h'), frozen(g, 'w', [5, 4], 13), t(p, 'y')).lossSum,
    }));

  test('lmHeadCrossEntropy: trainable head with label smoothing', () =>
    checkOp({
      params: { h: [6, 4], w: [5, 4] },
      inputs: { y: { dtype: 'int64', shape: [6], data: labels } },
      build: (p) => lmHeadCrossEntropy(t(p, 'h'), t(p, 'w'), t(p, 'y'), { labelSmoothing: 0.1 }).lossSum,
    }));

  test('lmHeadCrossEntropy: frozen head with label smoothing, loss divided by the count', () =>
    checkOp({
      params: { h: [6, 4] },
      inputs: { y: { dtype: 'int64', shape: [6], data: labels } },
      build: (p, g) => {
        const { lossSum, count } = lmHeadCrossEntropy(t(p, 'h'), frozen(g, 'w', [5, 4], 14), t(p, 'y'), { labelSmoothing: 0.2 });
        return ops.div(lossSum, count);
      },
    }));

  test('tokenLogProbs: frozen and trainable head, ignored targets', async () => {
    const inputs = { y: { dtype: 'int64' as const, shape: [6], data: labels } };
    await checkOp({ params: { h: [6, 4] }, inputs, build: (p, g) => tokenLogProbs(t(p, 'h'), frozen(g, 'w', [5, 4], 15), t(p, 'y')) });
    await checkOp({ params: { h: [6, 4], w: [5, 4] }, inputs, build: (p) => tokenLogProbs(t(p, 'h'), t(p, 'w'), t(p, 'y')) });
  });

  // A trainable head's gradient comes from the policy logits only (the reference is a fixed target),
  // which finite differences of the loss cannot isolate: primitives-reference.test.ts checks it.
  test('vocabKl: gradient through the policy hidden states, frozen head', async () => {
    const inputs = {
      ref: { dtype: 'float64' as const, shape: [5, 4], data: randArray(rng(16), 20) },
      m: { dtype: 'float64' as const, shape: [5], data: Float64Array.from([1, 0, 1, 0.5, 1]) },
    };
    await checkOp({ params: { h: [5, 4] }, inputs, build: (p, g) => vocabKl(t(p, 'h'), t(p, 'ref'), frozen(g, 'w', [6, 4], 17), t(p, 'm')) });
  });
});
