/**
 * Engine micro-benchmark: matmul GFLOP/s through the engine vs a bare onnxruntime-node MatMul
 * session in the same process (interleaved rounds, min and median), and one transformer-block
 * forward+backward built from generic ops. Prints one JSON line per measurement.
 */
import { pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import { EngineSession, Graph, gradients, ops } from '../core/engine/index.js';
import type { Tensor } from '../core/engine/index.js';
import { ModelProto } from '../core/engine/onnx/schema.js';
import { stats } from './stats.js';

const ROUNDS = 7;

function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

/** A MatMul model written directly as a ModelProto, run with onnxruntime's default options. */
async function bareMatmulSession(n: number): Promise<ort.InferenceSession> {
  const vi = (name: string): object => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: n }, { dim_value: n }] } } } });
  const bytes = ModelProto.encode({
    ir_version: 8,
    opset_import: [{ domain: '', version: 18 }],
    graph: { name: 'bare', node: [{ op_type: 'MatMul', input: ['a', 'b'], output: ['c'] }], input: [vi('a'), vi('b')], output: [vi('c')] },
  }).finish();
  // Same threading as the engine's default (no spin-waiting): two live sessions that spin steal
  // each other's cores, which would measure contention, not engine overhead.
  return ort.InferenceSession.create(bytes, { extra: { session: { intra_op: { allow_spinning: '0' } } } });
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function matmulBench(n: number): Promise<void> {
  const g = new Graph();
  const a = g.input('a', 'float32', [n, n]);
  const b = g.input('b', 'float32', [n, n]);
  const engine = await EngineSession.create(g.compile({ outputs: { c: ops.matmul(a, b) } }));
  const bare = await bareMatmulSession(n);
  const av = randomArray(n * n);
  const bv = randomArray(n * n);
  const bareFeeds = { a: new ort.Tensor('float32', av, [n, n]), b: new ort.Tensor('float32', bv, [n, n]) };
  const engineMs: number[] = [];
  const bareMs: number[] = [];
  await engine.run({ a: av, b: bv });
  await bare.run(bareFeeds);
  for (let i = 0; i < ROUNDS; i++) {
    engineMs.push(await timeIt(() => engine.run({ a: av, b: bv })));
    bareMs.push(await timeIt(() => bare.run(bareFeeds)));
  }
  const flop = 2 * n * n * n;
  const gf = (ms: number): number => Math.round((flop / (ms / 1000) / 1e9) * 10) / 10;
  const e = stats(engineMs);
  const r = stats(bareMs);
  console.log(JSON.stringify({ bench: 'engine.matmul', n, engine_gflops_best: gf(e.min), engine_gflops_median: gf(e.median), bare_ort_gflops_best: gf(r.min), bare_ort_gflops_median: gf(r.median), ratio_median: Math.round((r.median / e.median) * 100) / 100 }));
  await engine.release();
  await bare.release();
}

/** Pre-norm decoder block (RMSNorm, causal MHA with RoPE, SwiGLU) from generic ops; all weights trainable. */
async function blockBench(): Promise<void> {
  const B = 2;
  const S = 128;
  const H = 256;
  const heads = 4;
  const hd = H / heads;
  const I = 688;
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 'seq', H]);
  const pos = g.input('pos', 'int64', ['batch', 'seq']);
  const mask = g.input('mask', 'int64', ['batch', 'seq']);
  const p = (name: string, shape: number[]): Tensor => g.parameter(name, 'float32', shape);
  const ln1 = p('ln1', [H]);
  const wq = p('wq', [H, H]);
  const wk = p('wk', [H, H]);
  const wv = p('wv', [H, H]);
  const wo = p('wo', [H, H]);
  const ln2 = p('ln2', [H]);
  const wg = p('wg', [H, I]);
  const wu = p('wu', [H, I]);
  const wd = p('wd', [I, H]);
  const split = (t: Tensor): Tensor => ops.transpose(ops.reshape(t, ['batch', 'seq', heads, hd]), [0, 2, 1, 3]);
  const h = ops.rmsNorm(x, ln1);
  const { cos, sin } = ops.rotaryTables(pos, hd);
  const q = ops.applyRotary(split(ops.matmul(h, wq)), cos, sin);
  const k = ops.applyRotary(split(ops.matmul(h, wk)), cos, sin);
  const v = split(ops.matmul(h, wv));
  const scores = ops.add(ops.mul(ops.matmul(q, ops.transposeLast2(k)), 1 / Math.sqrt(hd)), ops.maskToBias(ops.attentionMask(mask)));
  const attn = ops.reshape(ops.transpose(ops.matmul(ops.softmax(scores), v), [0, 2, 1, 3]), ['batch', 'seq', H]);
  const x2 = ops.add(x, ops.matmul(attn, wo));
  const m = ops.rmsNorm(x2, ln2);
  const y = ops.add(x2, ops.matmul(ops.mul(ops.silu(ops.matmul(m, wg)), ops.matmul(m, wu)), wd));
  const loss = ops.mean(ops.mul(y, y));
  const params = [ln1, wq, wk, wv, wo, ln2, wg, wu, wd];
  const t0 = performance.now();
  const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, params) } }));
  const buildMs = performance.now() - t0;
  const feeds: Record<string, Float32Array | BigInt64Array> = {
    x: randomArray(B * S * H),
    pos: BigInt64Array.from({ length: B * S }, (_, i) => BigInt(i % S)),
    mask: new BigInt64Array(B * S).fill(1n),
  };
  for (const t of params) feeds[t.name] = randomArray((t.shape as number[]).reduce((a, b) => a * b, 1)).map((e) => e * 0.1);
  await session.run(feeds, { dims: { batch: B } });
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) ms.push(await timeIt(() => session.run(feeds, { dims: { batch: B } })));
  const s = stats(ms);
  console.log(JSON.stringify({ bench: 'engine.block_fwd_bwd', kind: 'generic ops', batch: B, seq: S, hidden: H, heads, intermediate: I, build_ms: Math.round(buildMs), step_ms_best: Math.round(s.min * 10) / 10, step_ms_median: Math.round(s.median * 10) / 10 }));
  await session.release();
}

export async function runEngineBench(): Promise<void> {
  await matmulBench(1024);
  await matmulBench(2048);
  await blockBench();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runEngineBench();
