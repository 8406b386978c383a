/** The engine's own matmul rate in this sitting: the peak that throughput limits are computed from. */
import { EngineSession, Graph, ops } from '../core/engine/index.js';
import type { Tensor } from '../core/engine/index.js';
import { gemm } from '../core/engine/primitives/util.js';
import { stats } from './stats.js';

const N = 2048;

async function bestRate(build: (g: Graph, a: Tensor, b: Tensor) => Tensor, products: number): Promise<number> {
  const g = new Graph();
  const session = await EngineSession.create(g.compile({ outputs: { c: build(g, g.input('a', 'float32', [N, N]), g.input('b', 'float32', [N, N])) } }));
  const a = Float32Array.from({ length: N * N }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: N * N }, () => Math.random() - 0.5);
  await session.run({ a, b });
  const ms: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await session.run({ a, b });
    ms.push(performance.now() - t0);
  }
  await session.release();
  return (products * 2 * N ** 3) / (stats(ms).min / 1000) / 1e9;
}

/**
 * One 2048³ product per run, its operands fed from and its result copied back to JavaScript
 * (2048³: steadier than 1024³ on this noisy machine class, and the size of the model's largest
 * GEMMs). The copies are part of what it measures, as in the issues' reference figures.
 */
export async function enginePeakGflops(): Promise<number> {
  return bestRate((_g, a, b) => ops.matmul(a, b), 1);
}

/**
 * The kernel alone: four 2048³ products per run, each summed to a scalar in the graph, so no
 * [2048, 2048] tensor crosses to JavaScript (the sums, one read of each product, are counted
 * as time but not as FLOPs: about 1 %). A stricter
 * ceiling than `enginePeakGflops`: limits computed from it are the harder ones to approach.
 */
export async function engineGemmGflops(): Promise<number> {
  const products = 4;
  return bestRate((_g, a, b) => {
    let total: Tensor | undefined;
    for (let i = 0; i < products; i++) {
      // Distinct alphas keep onnxruntime from merging the four identical products into one.
      const s = ops.sum(ops.reshape(gemm(a, b, { alpha: 1 + i / 64 }), [-1]), 0);
      total = total ? ops.add(total, s) : s;
    }
    return total!;
  }, products);
}
