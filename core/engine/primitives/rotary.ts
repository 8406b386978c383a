/**
 * Rotary position embedding, HF rotate_half convention: y = x·cos + rotate_half(x)·sin.
 *
 * rotate_half(x)·sin = swap(x)·ŝ with swap([x1, x2]) = [x2, x1] (one Split + Concat) and the
 * pre-signed table ŝ = [−sin1, sin2], built once per sin table and shared by q, k and every layer.
 * swap is its own transpose, so the backward is the same pass: dx = dy·cos + swap(dy·ŝ), i.e. the
 * rotation by −θ.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { add, mul, neg } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { concat, expandTo, reshape, transpose, unsqueeze } from '../ops/shape-ops.js';
import { arange } from '../ops/index-ops.js';
import { shapeProduct } from '../shape.js';
import { sumToShape } from '../ops/grad-util.js';
import { dim, fail, lastDim, requireDim, requireFloat, requireRank, requireSameDtype } from './util.js';

function halves(t: Tensor): [Tensor, Tensor] {
  const [a, b] = t.graph.node('Split', [t], { axis: -1, num_outputs: 2 }, { outputs: 2 });
  return [a as Tensor, b as Tensor];
}

function swapHalves(t: Tensor): Tensor {
  const [a, b] = halves(t);
  return concat([b, a], -1);
}

/** [B, 1, S, hd] views of the tables, cached per table tensor so q and k (and all layers) share them. */
const headViews = new WeakMap<Tensor, Tensor>();
const signedViews = new WeakMap<Tensor, Tensor>();

function cached(cache: WeakMap<Tensor, Tensor>, key: Tensor, make: () => Tensor): Tensor {
  if (key.requiresGrad) return make();
  let v = cache.get(key);
  if (!v) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

const cosView = (cos: Tensor): Tensor => cached(headViews, cos, () => unsqueeze(cos, 1));
const signedSinView = (sin: Tensor): Tensor =>
  cached(signedViews, sin, () => {
    const [s1, s2] = halves(sin);
    return unsqueeze(concat([neg(s1), s2], -1), 1);
  });

const rotaryOp = defineOp({
  name: 'rotaryEmbedding',
  forward: ([x, cos, sin]) => {
    const xs = x as Tensor;
    return add(mul(xs, cosView(cos as Tensor)), mul(swapHalves(xs), signedSinView(sin as Tensor)));
  },
  backward: (ctx) => {
    const [x, cos, sin] = ctx.inputs as [Tensor, Tensor, Tensor];
    const dy = ctx.gradOrZeros(0);
    const grads: (Tensor | undefined)[] = [undefined, undefined, undefined];
    if (ctx.needsGrad[0]) grads[0] = add(mul(dy, cosView(cos)), swapHalves(mul(dy, signedSinView(sin))));
    if (ctx.needsGrad[1]) grads[1] = sumToShape(sum(mul(dy, x), 1), cos.shape);
    if (ctx.needsGrad[2]) {
      const [d1, d2] = halves(sumToShape(sum(mul(dy, swapHalves(x)), 1), sin.shape));
      grads[2] = concat([neg(d1), d2], -1);
    }
    return grads;
  },
});

/**
 * x [B, heads, S, hd] rotated by per-position tables cos, sin [B, S, hd] (B may be 1 to share one
 * table across the batch), as HF computes them from position ids.
 */
export function rotaryEmbedding(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const op = 'rotaryEmbedding';
  requireFloat(op, 'x', x);
  requireRank(op, 'x', x, 4, '[B, heads, S, head_dim]');
  requireSameDtype(op, x, { cos, sin });
  const hd = lastDim(x);
  if (typeof hd !== 'number' || hd % 2 !== 0) fail(op, `head_dim of x ${x.describe()} must be an even number`);
  for (const [role, t] of [['cos', cos], ['sin', sin]] as const) {
    requireRank(op, role, t, 3, '[B, S, head_dim]');
    if (dim(t, 0) !== 1) requireDim(op, `${role} ${t.describe()} dim 0 (B)`, dim(t, 0), dim(x, 0), `x's batch dim (${x.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 1 (S)`, dim(t, 1), dim(x, 2), `x's sequence dim (${x.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 2 (head_dim)`, dim(t, 2), hd, `x's head_dim (${x.describe()})`);
  }
  return rotaryOp([x, cos, sin], {})[0] as Tensor;
}

/**
 * The same rotation from half tables cos, sin [B, S, hd/2] — each frequency once, where HF's
 * [B, S, hd] tables repeat it — through onnxruntime's RotaryEmbedding kernel (com.microsoft):
 * one pass forward and one backward (the rotation by −θ: the same kernel with sin negated),
 * where the portable formulation takes five each (Split, Concat, two Mul, Add). The kernel reads
 * per-position caches by position id; the tables' own rows are the cache, and the ids just number
 * them, so any positions (left padding, packed rows) rotate exactly as in `rotaryEmbedding`.
 * float32 with constant tables only; float64 and differentiable tables take the portable path.
 */
function rotaryKernel(x: Tensor, ids: Tensor, cosCache: Tensor, sinCache: Tensor, numHeads: number): Tensor {
  return x.graph.node('RotaryEmbedding', [x, ids, cosCache, sinCache], { interleaved: 0, num_heads: numHeads }, { domain: 'com.microsoft' })[0] as Tensor;
}

const negatedCaches = new WeakMap<Tensor, Tensor>();

const fusedRotaryOp = defineOp<{ readonly numHeads: number }>({
  name: 'rotaryEmbeddingFused',
  forward: ([x, cosCache, sinCache, ids], { numHeads }) => rotaryKernel(x as Tensor, ids as Tensor, cosCache as Tensor, sinCache as Tensor, numHeads),
  backward: (ctx) => {
    const [, cosCache, sinCache, ids] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor];
    if (!ctx.needsGrad[0]) return [undefined, undefined, undefined, undefined];
    const negSin = cached(negatedCaches, sinCache, () => neg(sinCache));
    return [rotaryKernel(ctx.gradOrZeros(0), ids, cosCache, negSin, ctx.attrs.numHeads), undefined, undefined, undefined];
  },
});

/** Per half table: its rows as a kernel cache [B·S, hd/2], and (cos tables) ids numbering them [B, S]. */
const kernelCaches = new WeakMap<Tensor, Tensor>();
const kernelIds = new WeakMap<Tensor, Tensor>();

/**
 * x [B, heads, S, hd] — or [B, S, heads·hd] with `heads` given, the projection's own layout, so
 * no transpose is needed around the kernel in either direction — rotated by half tables cos, sin
 * [B, S, hd/2] (B may be 1); see fusedRotaryOp.
 */
export function rotaryEmbeddingFromHalves(x: Tensor, cosHalf: Tensor, sinHalf: Tensor, heads?: number): Tensor {
  const op = 'rotaryEmbeddingFromHalves';
  requireFloat(op, 'x', x);
  const flat = heads !== undefined;
  if (flat) requireRank(op, 'x', x, 3, '[B, S, heads·head_dim] (heads given)');
  else requireRank(op, 'x', x, 4, '[B, heads, S, head_dim]');
  requireSameDtype(op, x, { cos: cosHalf, sin: sinHalf });
  const width = lastDim(x);
  if (typeof width !== 'number' || (flat && (!Number.isInteger(heads) || heads < 1 || width % heads !== 0))) fail(op, `x ${x.describe()} must have a concrete last dim${flat ? ` divisible by heads = ${heads}` : ''}`);
  const hd = flat ? width / heads : width;
  if (hd % 2 !== 0) fail(op, `head_dim of x ${x.describe()} must be an even number, got ${hd}`);
  const seqDim = dim(x, flat ? 1 : 2);
  for (const [role, t] of [['cos', cosHalf], ['sin', sinHalf]] as const) {
    requireRank(op, role, t, 3, '[B, S, head_dim / 2]');
    if (dim(t, 0) !== 1) requireDim(op, `${role} ${t.describe()} dim 0 (B)`, dim(t, 0), dim(x, 0), `x's batch dim (${x.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 1 (S)`, dim(t, 1), seqDim, `x's sequence dim (${x.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 2 (head_dim / 2)`, dim(t, 2), hd / 2, `half of the head_dim ${hd} of x (${x.describe()})`);
  }
  if (x.dtype !== 'float32' || cosHalf.requiresGrad || sinHalf.requiresGrad) {
    const [cos, sin] = [concat([cosHalf, cosHalf], -1), concat([sinHalf, sinHalf], -1)];
    if (!flat) return rotaryEmbedding(x, cos, sin);
    const split = transpose(reshape(x, [dim(x, 0), seqDim, heads, hd]), [0, 2, 1, 3]);
    return reshape(transpose(rotaryEmbedding(split, cos, sin), [0, 2, 1, 3]), x.shape);
  }
  // Built once per table and shared by q, k and every layer.
  const [tb, seq] = [dim(cosHalf, 0), dim(cosHalf, 1)];
  const rows = shapeProduct([tb, seq]);
  const cache = (t: Tensor): Tensor => cached(kernelCaches, t, () => reshape(t, [rows, hd / 2]));
  // Shared tables (B = 1) are numbered per x batch: not cached, as x's batch dim may differ.
  const numbered = (): Tensor => reshape(arange(x.graph, rows), [tb, seq]);
  const ids = tb === 1 ? expandTo(numbered(), [dim(x, 0), seq]) : cached(kernelIds, cosHalf, numbered);
  return fusedRotaryOp([x, cache(cosHalf), cache(sinHalf), ids], { numHeads: flat ? heads : (dim(x, 1) as number) })[0] as Tensor;
}
