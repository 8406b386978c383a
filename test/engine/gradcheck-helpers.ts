import assert from 'node:assert/strict';
import { gradcheck, ops } from '../../core/engine/index.js';
import type { Feed, Graph, Tensor } from '../../core/engine/index.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randArray(r: () => number, n: number, kind: 'any' | 'positive' = 'any'): Float64Array {
  return Float64Array.from({ length: n }, () => (kind === 'positive' ? 0.5 + r() : 2 * r() - 1));
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export interface OpCheck {
  /** parameter name -> concrete shape */
  readonly params: Readonly<Record<string, readonly number[]>>;
  readonly positive?: boolean;
  /** extra non-differentiable inputs: name -> [dtype, shape, values] */
  readonly inputs?: Readonly<Record<string, { dtype: 'int64' | 'float64' | 'bool'; shape: readonly number[]; data: BigInt64Array | Float64Array | Uint8Array }>>;
  readonly seed?: number;
  readonly atol?: number;
  readonly rtol?: number;
  readonly eps?: number;
  readonly build: (p: Record<string, Tensor>, g: Graph) => Tensor;
}

/**
 * Gradchecks a float64 op: loss = sum(op(...) * R) with a fixed random R, so every output element
 * weighs in differently and a transposed or mis-summed gradient cannot pass.
 */
export async function checkOp(c: OpCheck): Promise<void> {
  const r = rng(c.seed ?? 1234);
  const feeds: Record<string, Feed> = {};
  for (const [name, shape] of Object.entries(c.params)) feeds[name] = randArray(r, size(shape), c.positive ? 'positive' : 'any');
  for (const [name, spec] of Object.entries(c.inputs ?? {})) feeds[name] = spec.data;
  const res = await gradcheck(
    (g) => {
      const p: Record<string, Tensor> = {};
      for (const [name, shape] of Object.entries(c.params)) p[name] = g.parameter(name, 'float64', shape);
      for (const [name, spec] of Object.entries(c.inputs ?? {})) p[name] = g.input(name, spec.dtype, spec.shape);
      const y = c.build(p, g);
      const shape = y.shape.map((d) => {
        if (typeof d !== 'number') throw new Error(`checkOp: output dim '${d}' must be concrete`);
        return d;
      });
      const weights = g.initializer(`weights_${g.nodes.length}`, { data: randArray(rng(99), size(shape)), shape });
      const loss = y.rank === 0 ? ops.mul(y, 1.7) : ops.sum(ops.mul(y, weights));
      return { loss, params: Object.keys(c.params).map((n) => p[n] as Tensor) };
    },
    feeds,
    { atol: c.atol ?? 1e-6, rtol: c.rtol ?? 1e-5, ...(c.eps ? { eps: c.eps } : {}) },
  );
  assert.ok(res.ok, res.message);
}
