/**
 * Activation recomputation: a checkpointed block gives the gradients of the plain block — for its
 * input and for the parameters it captures — and its forward really is traced twice, the second
 * copy inside the backward.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpoint, EngineSession, gradcheck, gradients, Graph, ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { randArray, rng } from './gradcheck-helpers.js';

const [T, H] = [5, 4];

/** Two residual tanh blocks over x·W0, each capturing its own weight, under a squared loss. */
function build(g: Graph, withCheckpoint: boolean): { loss: Tensor; params: Tensor[] } {
  const x = g.input('x', 'float64', [T, H]);
  const w0 = g.parameter('w0', 'float64', [H, H]);
  const w1 = g.parameter('w1', 'float64', [H, H]);
  const w2 = g.parameter('w2', 'float64', [H, H]);
  const block = (w: Tensor) => (inputs: readonly Tensor[]): Tensor => {
    const h = inputs[0] as Tensor;
    return ops.add(h, ops.tanh(ops.matmul(ops.mul(h, h), w)));
  };
  let h = ops.matmul(x, w0);
  for (const w of [w1, w2]) h = withCheckpoint ? checkpoint(block(w), [h]) : block(w)([h]);
  return { loss: ops.sum(ops.mul(h, h)), params: [w0, w1, w2] };
}

function feeds(): Record<string, Float64Array> {
  const r = rng(3);
  return { x: randArray(r, T * H), w0: randArray(r, H * H), w1: randArray(r, H * H), w2: randArray(r, H * H) };
}

async function gradientsOf(withCheckpoint: boolean): Promise<Record<string, Float64Array>> {
  const g = new Graph();
  const { loss, params } = build(g, withCheckpoint);
  const grads = gradients(loss, params);
  const session = await EngineSession.create(g.compile({ outputs: grads }));
  try {
    const out = await session.run(feeds());
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float64Array]));
  } finally {
    await session.release();
  }
}

test('a checkpointed block passes float64 finite differences for its input and captured weights', async () => {
  const result = await gradcheck((g) => build(g, true), feeds(), { atol: 1e-8, rtol: 1e-6 });
  assert.ok(result.ok, result.message);
});

test('checkpointed gradients equal the plain block’s', async () => {
  const plain = await gradientsOf(false);
  const recomputed = await gradientsOf(true);
  for (const name of ['w0', 'w1', 'w2']) {
    const a = plain[name]!;
    const b = recomputed[name]!;
    assert.equal(a.length, H * H);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-12 * (1 + Math.abs(a[i]!)), `${name}[${i}]: ${a[i]} vs ${b[i]}`);
  }
});

test('the block is traced again inside the backward, and that copy waits for the gradient', () => {
  const tanhs = (withCheckpoint: boolean): { total: number; afterGradient: number } => {
    const g = new Graph();
    const { loss, params } = build(g, withCheckpoint);
    const nodes = g.compile({ outputs: gradients(loss, params) }).parts.nodes;
    const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    // Does the node depend on a reduction of an incoming gradient (the recomputation's anchor)?
    const anchored = (n: (typeof nodes)[number], seen = new Set<unknown>()): boolean =>
      n.opType === 'ReduceSum' || n.inputs.some((t) => t !== undefined && !seen.has(t) && seen.add(t) && producer.has(t) && anchored(producer.get(t)!, seen));
    const found = nodes.filter((n) => n.opType === 'Tanh');
    return { total: found.length, afterGradient: found.filter((n) => anchored(n)).length };
  };
  // Plain: one Tanh per block (the backward reuses its output). Checkpointed: the forward's, and
  // a recomputed one per block that cannot run before the block's output gradient exists.
  assert.deepEqual(tanhs(false), { total: 2, afterGradient: 0 });
  assert.deepEqual(tanhs(true), { total: 4, afterGradient: 2 });
});

test('without a gradient to compute, a checkpoint is the plain block', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [T, H]);
  const y = checkpoint(([h]) => ops.tanh(h!), [x]);
  assert.equal(y.requiresGrad, false);
  assert.equal(g.nodes.filter((n) => n.opType === 'Tanh').length, 1);
});
