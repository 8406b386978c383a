/**
 * Primitive forward values (float32, the formulation training runs, full ORT optimizations) against
 * plain-JS loops on tiny shapes, the float32 contrib RMSNorm path's gradients against float64,
 * a trainable vocab-KL head against generic ops, and frozen weights costing no gradient GEMM.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSession, Graph, gradients, ops, stopGradient } from '../../core/engine/index.js';
import type { Feed, Tensor } from '../../core/engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, rotaryEmbeddingFromHalves, swiglu, tokenLogProbs, tokenLogProbsAndEntropy, vocabKl } from '../../core/engine/primitives/index.js';
import { rng } from './gradcheck-helpers.js';

type Arr = Float32Array;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function rand(seed: number, n: number, amp = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => amp * (2 * r() - 1));
}

async function run(g: Graph, outputs: Record<string, Tensor>, feeds: Record<string, Feed>): Promise<Record<string, Float32Array | Float64Array>> {
  const s = await EngineSession.create(g.compile({ outputs }), { intraOpThreads: 1 });
  try {
    const out = await s.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array | Float64Array]));
  } finally {
    await s.release();
  }
}

/** max |a − b| over max(1, max |b|): float32 against a float64 or JS reference. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs((got[i] as number) - (want[i] as number));
    assert.ok(err <= tol * scale, `${what}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${tol * scale})`);
  }
}

/** log-softmax of one row. */
function logSoftmaxRow(v: number[]): number[] {
  const m = Math.max(...v);
  const z = Math.log(v.reduce((a, e) => a + Math.exp(e - m), 0)) + m;
  return v.map((e) => e - z);
}

/** hidden [T, H] · W [V, H]ᵀ row t. */
function logitRow(h: Arr, w: Arr, t: number, H: number, V: number): number[] {
  return Array.from({ length: V }, (_, v) => {
    let s = 0;
    for (let i = 0; i < H; i++) s += (h[t * H + i] as number) * (w[v * H + i] as number);
    return s;
  });
}

describe('primitives: forward values against plain-JS references (float32)', () => {
  test('linear with bias, LoRA and dropout mask', async () => {
    const [R, I, O, r] = [6, 5, 4, 2];
    const x = rand(1, R * I);
    const w = rand(2, O * I);
    const b = rand(3, O);
    const a = rand(4, r * I);
    const lb = rand(5, O * r);
    const m = Float32Array.from({ length: R * I }, (_, i) => (i % 4 === 1 ? 0 : 1.25));
    const g = new Graph();
    const y = linear(g.input('x', 'float32', [2, 3, I]), g.initializer('w', { data: w, shape: [O, I] }), {
      bias: g.initializer('b', { data: b, shape: [O] }),
      lora: { a: g.parameter('a', 'float32', [r, I]), b: g.parameter('lb', 'float32', [O, r]), scale: 0.75, dropoutMask: g.input('m', 'float32', [2, 3, I]) },
    });
    assert.deepEqual(y.shape, [2, 3, O]);
    const out = await run(g, { y }, { x, m, a, lb });
    const want = new Float64Array(R * O);
    for (let row = 0; row < R; row++) {
      const z = Array.from({ length: r }, (_, k) => {
        let s = 0;
        for (let i = 0; i < I; i++) s += (x[row * I + i] as number) * (m[row * I + i] as number) * (a[k * I + i] as number);
        return s;
      });
      for (let o = 0; o < O; o++) {
        let s = b[o] as number;
        for (let i = 0; i < I; i++) s += (x[row * I + i] as number) * (w[o * I + i] as number);
        for (let k = 0; k < r; k++) s += 0.75 * (z[k] as number) * (lb[o * r + k] as number);
        want[row * O + o] = s;
      }
    }
    assertClose(out['y'] as Arr, want, 1e-6, 'linear');
  });

  test('rmsNorm through the contrib SimplifiedLayerNormalization kernel', async () => {
    const [R, H] = [5, 8];
    const x = rand(6, R * H, 3);
    const w = rand(7, H);
    const g = new Graph();
    const y = rmsNorm(g.input('x', 'float32', [R, H]), g.input('w', 'float32', [H]), 1e-5);
    const out = await run(g, { y }, { x, w });
    const want = new Float64Array(R * H);
    for (let r = 0; r < R; r++) {
      let ms = 0;
      for (let i = 0; i < H; i++) ms += (x[r * H + i] as number) ** 2 / H;
      const inv = 1 / Math.sqrt(ms + 1e-5);
      for (let i = 0; i < H; i++) want[r * H + i] = (x[r * H + i] as number) * inv * (w[i] as number);
    }
    assertClose(out['y'] as Arr, want, 1e-6, 'rmsNorm');
  });

  test('rotaryEmbedding equals x·cos + rotate_half(x)·sin', async () => {
    const [B, Hh, S, D] = [2, 3, 4, 6];
    const x = rand(8, B * Hh * S * D);
    const cos = rand(9, B * S * D);
    const sin = rand(10, B * S * D);
    const g = new Graph();
    const y = rotaryEmbedding(g.input('x', 'float32', [B, Hh, S, D]), g.input('cos', 'float32', [B, S, D]), g.input('sin', 'float32', [B, S, D]));
    const out = await run(g, { y }, { x, cos, sin });
    const want = new Float64Array(x.length);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < Hh; h++)
        for (let s = 0; s < S; s++)
          for (let d = 0; d < D; d++) {
            const base = ((b * Hh + h) * S + s) * D;
            const rot = d < D / 2 ? -(x[base + d + D / 2] as number) : (x[base + d - D / 2] as number);
            const tIdx = (b * S + s) * D + d;
            want[base + d] = (x[base + d] as number) * (cos[tIdx] as number) + rot * (sin[tIdx] as number);
          }
    assertClose(out['y'] as Arr, want, 1e-6, 'rotary');
  });

  for (const [tableBatch, layout] of [['batch', 'heads'], [1, 'heads'], ['batch', 'flat']] as const) {
    test(`rotaryEmbeddingFromHalves (onnxruntime's kernel): values and the x gradient equal the hand rotation, tables [${tableBatch}, S, hd/2], x ${layout === 'flat' ? '[B, S, heads·hd]' : '[B, heads, S, hd]'}, symbolic dims`, async () => {
      const [B, Hh, S, D] = [2, 3, 5, 8];
      const TB = tableBatch === 1 ? 1 : B;
      const x = rand(11, B * Hh * S * D);
      const r = rand(12, B * Hh * S * D);
      const cos = rand(13, TB * S * (D / 2));
      const sin = rand(14, TB * S * (D / 2));
      // Element (b, h, s, d) sits at offset `at` in either layout.
      const at = (b: number, h: number, s: number, d: number): number => (layout === 'flat' ? ((b * S + s) * Hh + h) * D + d : ((b * Hh + h) * S + s) * D + d);
      const shape = layout === 'flat' ? ['batch', 'seq', Hh * D] : ['batch', Hh, 'seq', D];
      const dims = layout === 'flat' ? [B, S, Hh * D] : [B, Hh, S, D];
      const g = new Graph();
      const xT = g.parameter('x', 'float32', shape);
      const y = rotaryEmbeddingFromHalves(xT, g.input('cos', 'float32', [tableBatch, 'seq', D / 2]), g.input('sin', 'float32', [tableBatch, 'seq', D / 2]), layout === 'flat' ? Hh : undefined);
      const loss = ops.sum(ops.reshape(ops.mul(y, g.input('r', 'float32', shape)), [-1]), 0);
      const out = await run(g, { y, ...gradients(loss, [xT]) }, { x: { data: x, dims }, r: { data: r, dims }, cos: { data: cos, dims: [TB, S, D / 2] }, sin: { data: sin, dims: [TB, S, D / 2] } });
      const want = new Float64Array(x.length);
      const dx = new Float64Array(x.length);
      for (let b = 0; b < B; b++)
        for (let h = 0; h < Hh; h++)
          for (let s = 0; s < S; s++)
            for (let d = 0; d < D / 2; d++) {
              const [i1, i2] = [at(b, h, s, d), at(b, h, s, d + D / 2)];
              const t = ((TB === 1 ? 0 : b) * S + s) * (D / 2) + d;
              const [c, sn] = [cos[t] as number, sin[t] as number];
              const [x1, x2] = [x[i1] as number, x[i2] as number];
              want[i1] = x1 * c - x2 * sn;
              want[i2] = x2 * c + x1 * sn;
              const [r1, r2] = [r[i1] as number, r[i2] as number];
              dx[i1] = r1 * c + r2 * sn;
              dx[i2] = r2 * c - r1 * sn;
            }
      assertClose(out['y'] as Arr, want, 1e-6, 'rotary from halves');
      assertClose(out['x'] as Arr, dx, 1e-6, 'rotary from halves: dx');
    });
  }

  test('attention with GQA, causal and left/right padding equals a hand loop', async () => {
    const [B, nH, nKV, S, D] = [2, 6, 2, 5, 3];
    const q = rand(11, B * nH * S * D, 2);
    const k = rand(12, B * nKV * S * D, 2);
    const v = rand(13, B * nKV * S * D);
    // Batch 0 left-padded (query rows 0-1 see no key: their outputs are unused), batch 1 right-padded.
    const mask = Float32Array.from([0, 0, 1, 1, 1, 1, 1, 1, 0, 0]);
    const scale = 0.7;
    for (const causal of [true, false]) {
      const g = new Graph();
      const y = attention(g.input('q', 'float32', [B, nH, S, D]), g.input('k', 'float32', [B, nKV, S, D]), g.input('v', 'float32', [B, nKV, S, D]), {
        scale,
        causal,
        keyPaddingMask: g.input('m', 'float32', [B, S]),
      });
      const got = (await run(g, { y }, { q, k, v, m: mask }))['y'] as Arr;
      for (let b = 0; b < B; b++)
        for (let h = 0; h < nH; h++) {
          const kh = Math.floor(h / (nH / nKV));
          for (let i = 0; i < S; i++) {
            const keys = Array.from({ length: S }, (_, j) => j).filter((j) => (mask[b * S + j] as number) === 1 && (!causal || j <= i));
            if (keys.length === 0) continue;
            const sc = keys.map((j) => {
              let s = 0;
              for (let d = 0; d < D; d++) s += (q[((b * nH + h) * S + i) * D + d] as number) * (k[((b * nKV + kh) * S + j) * D + d] as number);
              return s * scale;
            });
            const lp = logSoftmaxRow(sc);
            for (let d = 0; d < D; d++) {
              const want = keys.reduce((acc, j, n) => acc + Math.exp(lp[n] as number) * (v[((b * nKV + kh) * S + j) * D + d] as number), 0);
              const at = ((b * nH + h) * S + i) * D + d;
              assert.ok(Math.abs((got[at] as number) - want) < 1e-5, `attention causal=${causal} b${b} h${h} i${i} d${d}: got ${got[at]}, want ${want}`);
            }
          }
        }
    }
  });

  test('attention with fewer queries than keys aligns causal masking to the end (KV cache)', async () => {
    const [nH, nKV, Sq, Sk, D] = [4, 2, 2, 5, 3];
    const q = rand(19, nH * Sq * D, 2);
    const k = rand(20, nKV * Sk * D, 2);
    const v = rand(21, nKV * Sk * D);
    const g = new Graph();
    const y = attention(g.input('q', 'float32', [1, nH, Sq, D]), g.input('k', 'float32', [1, nKV, Sk, D]), g.input('v', 'float32', [1, nKV, Sk, D]), { scale: 0.5, causal: true });
    const got = (await run(g, { y }, { q, k, v }))['y'] as Arr;
    for (let h = 0; h < nH; h++) {
      const kh = Math.floor(h / (nH / nKV));
      for (let i = 0; i < Sq; i++) {
        const keys = Array.from({ length: i + Sk - Sq + 1 }, (_, j) => j);
        const lp = logSoftmaxRow(keys.map((j) => 0.5 * Array.from({ length: D }, (_, d) => (q[(h * Sq + i) * D + d] as number) * (k[(kh * Sk + j) * D + d] as number)).reduce((a, b) => a + b, 0)));
        for (let d = 0; d < D; d++) {
          const want = keys.reduce((acc, j, n) => acc + Math.exp(lp[n] as number) * (v[(kh * Sk + j) * D + d] as number), 0);
          const at = (h * Sq + i) * D + d;
          assert.ok(Math.abs((got[at] as number) - want) < 1e-5, `h${h} i${i} d${d}: got ${got[at]}, want ${want}`);
        }
      }
    }
  });

  test('swiglu equals silu(gate)·up', async () => {
    const gate = rand(14, 12, 4);
    const up = rand(15, 12);
    const g = new Graph();
    const y = swiglu(g.input('g', 'float32', [3, 4]), g.input('u', 'float32', [3, 4]));
    const out = await run(g, { y }, { g: gate, u: up });
    assertClose(out['y'] as Arr, Array.from(gate, (x, i) => (x / (1 + Math.exp(-x))) * (up[i] as number)), 1e-6, 'swiglu');
  });

  test('lmHeadCrossEntropy, tokenLogProbs and vocabKl values', async () => {
    const [T, H, V] = [5, 4, 7];
    const h = rand(16, T * H, 2);
    const hr = rand(17, T * H, 2);
    const w = rand(18, V * H);
    const y = BigInt64Array.from([3n, -100n, 0n, 6n, 2n]);
    const mask = Float32Array.from([1, 0.5, 0, 1, 1]);
    const g = new Graph();
    const [hT, hrT, wT, yT, mT] = [g.input('h', 'float32', [T, H]), g.input('hr', 'float32', [T, H]), g.initializer('w', { data: w, shape: [V, H] }), g.input('y', 'int64', [T]), g.input('m', 'float32', [T])];
    const ce = lmHeadCrossEntropy(hT, wT, yT);
    const smooth = lmHeadCrossEntropy(hT, wT, yT, { labelSmoothing: 0.1 });
    const out = await run(g, { loss: ce.lossSum, count: ce.count, smooth: smooth.lossSum, lp: tokenLogProbs(hT, wT, yT), kl: vocabKl(hT, hrT, wT, mT) }, { h, hr, y, m: mask });
    let loss = 0;
    let lossSmooth = 0;
    let kl = 0;
    const lps: number[] = [];
    for (let t = 0; t < T; t++) {
      const lp = logSoftmaxRow(logitRow(h, w, t, H, V));
      const lr = logSoftmaxRow(logitRow(hr, w, t, H, V));
      kl += (mask[t] as number) * lr.reduce((a, l, v) => a + Math.exp(l) * (l - (lp[v] as number)), 0);
      const label = Number(y[t]);
      lps.push(label === -100 ? 0 : (lp[label] as number));
      if (label === -100) continue;
      loss -= lp[label] as number;
      lossSmooth += 0.9 * -(lp[label] as number) + 0.1 * -(lp.reduce((a, b) => a + b, 0) / V);
    }
    assertClose(out['loss'] as Arr, [loss], 1e-6, 'lossSum');
    assertClose(out['count'] as Arr, [4], 0, 'count');
    assertClose(out['smooth'] as Arr, [lossSmooth], 1e-6, 'smoothed lossSum');
    assertClose(out['lp'] as Arr, lps, 1e-6, 'tokenLogProbs');
    assertClose(out['kl'] as Arr, [kl], 1e-5, 'vocabKl');
  });

  test('lmHeadCrossEntropy with a frozen head forms dh in the forward, in row chunks (more chunks than rows too): loss and dh equal the reference, and a loss-only graph prunes that work', async () => {
    const [T, H, V] = [5, 4, 7];
    const h = rand(36, T * H, 2);
    const w = rand(37, V * H);
    const y = BigInt64Array.from([3n, -100n, 0n, 6n, 2n]);
    for (const eps of [0, 0.1]) {
      // Reference: loss and d(2·lossSum)/dh = 2·valid·(P·W − (1−ε)·W[y] − ε·mean(W)).
      let loss = 0;
      const dh = new Float64Array(T * H);
      for (let t = 0; t < T; t++) {
        const label = Number(y[t]);
        if (label === -100) continue;
        const lp = logSoftmaxRow(logitRow(h, w, t, H, V));
        loss += (1 - eps) * -(lp[label] as number) + eps * -(lp.reduce((a, b) => a + b, 0) / V);
        for (let i = 0; i < H; i++) {
          let g = 0;
          for (let v = 0; v < V; v++) g += (Math.exp(lp[v] as number) - (1 - eps) * (v === label ? 1 : 0) - eps / V) * (w[v * H + i] as number);
          dh[t * H + i] = 2 * g;
        }
      }
      for (const chunks of [1, 2, 3, 7]) {
        const g = new Graph();
        const hT = g.parameter('h', 'float32', ['rows', H]);
        const wT = g.initializer('w', { data: w, shape: [V, H] });
        const ce = lmHeadCrossEntropy(hT, wT, g.input('y', 'int64', ['rows']), { labelSmoothing: eps, chunks });
        const scaled = ops.mul(ce.lossSum, 2);
        const out = await run(g, { loss: ce.lossSum, count: ce.count, ...gradients(scaled, [hT]) }, { h, y });
        const what = `ε ${eps}, ${chunks} chunk(s)`;
        assertClose(out['loss'] as Arr, [loss], 1e-6, `lossSum, ${what}`);
        assertClose(out['count'] as Arr, [4], 0, `count, ${what}`);
        assertClose(out['h'] as Arr, dh, 1e-6, `dh, ${what}`);
        // Each chunk's log-softmax, and nothing over [T, V] kept for the backward: the gradient
        // part of an evaluation graph (loss only) is pruned.
        const lossOnly = g.compile({ outputs: { loss: ce.lossSum } }).parts.nodes;
        assert.equal(lossOnly.filter((n) => n.opType === 'LogSoftmax').length, chunks, what);
        assert.equal(lossOnly.filter((n) => n.opType === 'Exp').length, 0, what);
      }
    }
  });

  test('tokenLogProbsAndEntropy: the entropy −Σ p·log p per position (0 where the target is −100), from the same log-softmax; gradients through the log-probs only', async () => {
    const [T, H, V] = [5, 4, 7];
    const h = rand(26, T * H, 2);
    const w = rand(27, V * H);
    const y = BigInt64Array.from([3n, -100n, 0n, 6n, 2n]);
    const g = new Graph();
    const hT = g.parameter('h', 'float32', [T, H]);
    const wT = g.initializer('w', { data: w, shape: [V, H] });
    const both = tokenLogProbsAndEntropy(hT, wT, g.input('y', 'int64', [T]));
    const lossBoth = ops.sum(both.logProbs);
    const lossPlain = ops.sum(tokenLogProbs(hT, wT, g.input('y2', 'int64', [T])));
    const out = await run(g, { lp: both.logProbs, h2: both.entropy, gBoth: gradients(lossBoth, [hT]).h!, gPlain: gradients(lossPlain, [hT]).h! }, { h, y, y2: y });
    const entropy: number[] = [];
    for (let t = 0; t < T; t++) {
      const lp = logSoftmaxRow(logitRow(h, w, t, H, V));
      entropy.push(Number(y[t]) === -100 ? 0 : -lp.reduce((a, l) => a + Math.exp(l) * l, 0));
    }
    assertClose(out['h2'] as Arr, entropy, 1e-6, 'entropy');
    assert.ok(entropy.every((e) => e >= 0 && e <= Math.log(V) + 1e-9));
    assertClose(out['gBoth'] as Arr, out['gPlain'] as Arr, 0, 'the same gradient with the entropy output');
  });
});

/**
 * A block using every primitive, traced once per dtype with the same values: float32 gradients
 * (contrib RMSNorm, full graph optimizations) must match float64 gradients (gradchecked) to float32
 * accuracy: within 2e-6 of the largest gradient (≈17× float32's unit roundoff; measured below
 * 1e-6). A 1e-4 relative error in the saved inv_std already fails it.
 */
describe('primitives: float32 gradients against float64', () => {
  test('block with every primitive', async () => {
    const [T, H, nH, nKV, D, I, V, r] = [6, 8, 4, 2, 2, 12, 9, 2];
    const shapes: Record<string, number[]> = { x: [T, H], ln: [H], qa: [r, H], qb: [nH * D, r], wg: [I, H], wu: [I, H], hr: [T, H] };
    const frozenShapes: Record<string, number[]> = { wq: [nH * D, H], wk: [nKV * D, H], wv: [nKV * D, H], wd: [H, I], head: [V, H] };
    const values: Record<string, Float32Array> = {};
    let seed = 100;
    for (const [k, s] of Object.entries({ ...shapes, ...frozenShapes })) values[k] = rand(seed++, size(s));
    const cosv = rand(seed, T * D);
    const sinv = rand(seed + 1, T * D);
    const labels = BigInt64Array.from([1n, -100n, 4n, 8n, 0n, 2n]);
    const mask = Float32Array.from([1, 1, 1, 1, 0, 0]);
    const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
    const grads: Record<string, Record<string, Float32Array | Float64Array>> = {};
    for (const dtype of ['float32', 'float64'] as const) {
      const g = new Graph();
      const p: Record<string, Tensor> = {};
      for (const [k, s] of Object.entries(shapes)) p[k] = g.parameter(k, dtype, s);
      for (const [k, s] of Object.entries(frozenShapes)) {
        const v = values[k] as Float32Array;
        p[k] = g.initializer(k, { data: dtype === 'float32' ? v : f64(v), shape: s });
      }
      const cos = g.input('cos', dtype, [1, T, D]);
      const sin = g.input('sin', dtype, [1, T, D]);
      const m = g.input('m', dtype, [1, T]);
      const y = g.input('y', 'int64', [T]);
      const P = (k: string): Tensor => p[k] as Tensor;
      const heads = (t: Tensor, n: number): Tensor => ops.transpose(ops.reshape(t, [1, T, n, D]), [0, 2, 1, 3]);
      const n1 = rmsNorm(P('x'), P('ln'), 1e-6);
      const q = rotaryEmbedding(heads(linear(n1, P('wq'), { lora: { a: P('qa'), b: P('qb'), scale: 1.5 } }), nH), cos, sin);
      const k = rotaryEmbedding(heads(linear(n1, P('wk')), nKV), cos, sin);
      const v = heads(linear(n1, P('wv')), nKV);
      const att = attention(q, k, v, { scale: 1 / Math.sqrt(D), causal: true, keyPaddingMask: m });
      const merged = ops.reshape(ops.transpose(att, [0, 2, 1, 3]), [T, nH * D]);
      const hidden = ops.add(P('x'), linear(swiglu(linear(merged, P('wg')), linear(merged, P('wu'))), P('wd')));
      const { lossSum } = lmHeadCrossEntropy(hidden, P('head'), y, { labelSmoothing: 0.05 });
      const loss = ops.add(ops.add(lossSum, ops.sum(tokenLogProbs(hidden, P('head'), y))), vocabKl(hidden, P('hr'), P('head'), ops.reshape(m, [T])));
      const params = Object.keys(shapes).filter((n) => n !== 'hr').map(P);
      const conv = (a: Float32Array): Float32Array | Float64Array => (dtype === 'float32' ? a : f64(a));
      const feeds: Record<string, Feed> = { cos: conv(cosv), sin: conv(sinv), m: conv(mask), y: labels };
      for (const k of Object.keys(shapes)) feeds[k] = conv(values[k] as Float32Array);
      grads[dtype] = await run(g, { loss, ...gradients(loss, params) }, feeds);
    }
    for (const name of ['loss', 'x', 'ln', 'qa', 'qb', 'wg', 'wu']) {
      assertClose(grads['float32']?.[name] as Float32Array, grads['float64']?.[name] as Float64Array, 2e-6, `float32 vs float64 '${name}'`);
    }
  });

  test('vocabKl with a trainable head matches generic ops with a stop-gradient reference', async () => {
    const [T, H, V] = [4, 3, 5];
    const feeds = { h: rand(40, T * H), hr: rand(41, T * H), w: rand(42, V * H), m: Float32Array.from([1, 0, 0.5, 1]) };
    const results: Record<string, Float32Array | Float64Array>[] = [];
    for (const generic of [false, true]) {
      const g = new Graph();
      const h = g.parameter('h', 'float32', [T, H]);
      const w = g.parameter('w', 'float32', [V, H]);
      const hr = g.input('hr', 'float32', [T, H]);
      const m = g.input('m', 'float32', [T]);
      const logitsOf = (x: Tensor): Tensor => ops.matmul(x, ops.transposeLast2(w));
      const loss = generic ? ops.sum(ops.mul(ops.klFull(stopGradient(logitsOf(hr)), logitsOf(h)), m)) : vocabKl(h, hr, w, m);
      results.push(await run(g, { loss, ...gradients(loss, [h, w]) }, feeds));
    }
    const [mine, ref] = results as [Record<string, Float32Array>, Record<string, Float32Array>];
    for (const k of ['loss', 'h', 'w']) assertClose(mine[k] as Arr, ref[k] as Arr, 1e-5, `vocabKl '${k}'`);
  });
});

describe('primitives: frozen weights cost no gradient work', () => {
  /** Nodes in the compiled forward+backward whose output has W's [out, in] shape (a dW GEMM would). */
  function weightShapedProducts(trainableWeight: boolean): number {
    const g = new Graph();
    const x = g.parameter('x', 'float32', ['rows', 6]);
    const w = trainableWeight ? g.parameter('w', 'float32', [5, 6]) : g.initializer('w', { data: rand(50, 30), shape: [5, 6] });
    const a = g.parameter('a', 'float32', [2, 6]);
    const b = g.parameter('b', 'float32', [5, 2]);
    const loss = ops.sum(linear(x, w, { lora: { a, b, scale: 2 } }));
    const wrt = trainableWeight ? [x, w, a, b] : [x, a, b];
    const program = g.compile({ outputs: { loss, ...gradients(loss, wrt) } });
    return program.parts.nodes.filter((n) => ['Gemm', 'MatMul', 'FusedMatMul'].includes(n.opType) && n.outputs[0]?.shape.join() === '5,6').length;
  }

  test('linear with a frozen W builds no dW product; a trainable W builds exactly one', () => {
    assert.equal(weightShapedProducts(false), 0);
    assert.equal(weightShapedProducts(true), 1);
  });

  test('lmHeadCrossEntropy with a frozen head builds no [T, V] logit gradient product', () => {
    const g = new Graph();
    const h = g.parameter('h', 'float32', [7, 4]);
    const w = g.initializer('w', { data: rand(51, 44), shape: [11, 4] });
    const { lossSum } = lmHeadCrossEntropy(h, w, g.input('y', 'int64', [7]));
    const program = g.compile({ outputs: { loss: lossSum, ...gradients(lossSum, [h]) } });
    const scatters = program.parts.nodes.filter((n) => n.opType === 'ScatterElements' || n.opType === 'ScatterND');
    const gemms = program.parts.nodes.filter((n) => n.opType === 'Gemm');
    assert.equal(scatters.length, 0, 'no one-hot scatter for a frozen head');
    assert.equal(gemms.length, 2, 'logits Gemm and the P·W − W[y] Gemm only');
  });
});
