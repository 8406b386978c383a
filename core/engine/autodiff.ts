/** Reverse-mode differentiation over the graph's tape. */
import { isFloat } from './dtype.js';
import type { TapeEntry } from './graph.js';
import type { VjpContext } from './op-registry.js';
import { formatShape, shapesEqual } from './shape.js';
import type { Tensor } from './tensor.js';
import { add, identity } from './ops/elementwise.js';
import { zerosLike } from './ops/grad-util.js';

/**
 * Gradients of a scalar `loss` with respect to `wrt` (parameters, or any tensor that requires a
 * gradient), keyed by tensor name. Only tape entries on a path from `wrt` to `loss` are
 * differentiated; frozen branches get no gradient work. A tensor the loss does not depend on
 * gets zeros.
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[]): Record<string, Tensor> {
  const g = loss.graph;
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new Error(`engine: gradients: loss must be a float scalar, got ${loss.describe()}`);
  for (const w of wrt) {
    if (w.graph !== g) throw new Error(`engine: gradients: ${w.describe()} belongs to a different Graph than the loss`);
    if (!w.requiresGrad) throw new Error(`engine: gradients: ${w.describe()} cannot receive a gradient (declare it with graph.parameter, not input/initializer, and do not stopGradient it)`);
  }
  const seeds = new Map<Tensor, Tensor>();
  g.withTapeSuspended(() => seeds.set(loss, g.scalar(1, loss.dtype)));
  const grads = backpropagate(g.tape, seeds, wrt);
  const out: Record<string, Tensor> = {};
  wrt.forEach((w, i) => (out[w.name] = grads[i] as Tensor));
  return out;
}

/**
 * Reverse-mode over `entries` (a tape, or a segment of one, in recording order): the gradients of
 * Σ⟨seed tensor, seed gradient⟩ with respect to each of `wrt`, zeros where nothing depends on it.
 * Only entries on a path from `wrt` to a seeded tensor are differentiated. Shared by `gradients`
 * (seed: the loss, 1) and recomputation checkpoints (seed: the block's output, its gradient).
 */
export function backpropagate(entries: readonly TapeEntry[], seeds: ReadonlyMap<Tensor, Tensor>, wrt: readonly Tensor[]): Tensor[] {
  const depends = new Set<Tensor>(wrt);
  const relevant: TapeEntry[] = [];
  for (const e of entries) {
    if (e.inputs.some((t) => t !== undefined && depends.has(t))) {
      for (const o of e.outputs) depends.add(o);
      relevant.push(e);
    }
  }
  const pending = new Map<Tensor, Tensor[]>();
  const gradOf = (t: Tensor): Tensor | undefined => {
    const list = pending.get(t);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const total = list.reduce((a, b) => add(a, b));
      pending.set(t, [total]);
      return total;
    }
    return list[0];
  };
  const g = wrt[0]?.graph ?? [...seeds.keys()][0]?.graph;
  if (!g) return [];
  return g.withTapeSuspended(() => {
    for (const [t, seed] of seeds) if (depends.has(t)) pending.set(t, [seed]);
    for (let i = relevant.length - 1; i >= 0; i--) {
      const e = relevant[i] as TapeEntry;
      const outputGrads = e.outputs.map(gradOf);
      if (outputGrads.every((x) => x === undefined)) continue;
      const needsGrad = e.inputs.map((t) => t !== undefined && t.requiresGrad && depends.has(t));
      const ctx: VjpContext = {
        inputs: e.inputs,
        outputs: e.outputs,
        outputGrads,
        needsGrad,
        attrs: e.attrs,
        gradOrZeros: (k) => outputGrads[k] ?? zerosLike(e.outputs[k] as Tensor),
      };
      const inGrads = e.backward(ctx);
      e.inputs.forEach((t, k) => {
        if (!t || !needsGrad[k]) return;
        const gk = inGrads[k];
        if (!gk) throw new Error(`engine: backward of ${e.label} returned no gradient for input #${k} ${t.describe()}, which needs one`);
        if (!shapesEqual(gk.shape, t.shape) || gk.dtype !== t.dtype) {
          throw new Error(`engine: backward of ${e.label}: gradient for input #${k} ${t.describe()} has ${gk.dtype}${formatShape(gk.shape)}; it must match the input`);
        }
        const list = pending.get(t);
        if (list) list.push(gk);
        else pending.set(t, [gk]);
      });
    }
    return wrt.map((w) => gradOf(w) ?? zerosLike(w));
  });
}

/** The same values as x, but no gradient flows back through it. */
export function stopGradient(x: Tensor): Tensor {
  if (!x.requiresGrad) return x;
  return x.graph.withTapeSuspended(() => identity(x));
}
