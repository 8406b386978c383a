/** The engine's own matmul rate in this sitting: the peak that throughput limits are computed from. */
import { EngineSession, Graph, ops } from '../core/engine/index.js';
import { stats } from './stats.js';

export async function enginePeakGflops(): Promise<number> {
  // 2048³: steadier than 1024³ on this noisy machine class, and the size of the model's largest GEMMs.
  const n = 2048;
  const g = new Graph();
  const session = await EngineSession.create(g.compile({ outputs: { c: ops.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])) } }));
  const a = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  await session.run({ a, b });
  const ms: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await session.run({ a, b });
    ms.push(performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / (stats(ms).min / 1000) / 1e9;
}
