/**
 * Primitives benchmark: one Qwen2-shaped decoder block (SmolLM2-135M dims: hidden 576, 9 heads,
 * 3 kv heads, intermediate 1536; batch 2 × seq 256; LoRA r 8 on all seven projections; frozen base
 * weights; dX computed as for any non-first layer) forward+backward, built from the hand-written
 * primitives and from generic engine ops, timed interleaved in the same process (min and median
 * over warm rounds); likewise the frozen lm_head + cross-entropy (vocab 49152, 512 tokens, dHidden
 * only). Prints one JSON line per variant and one with their ratio.
 */
import { pathToFileURL } from 'node:url';
import { EngineSession, Graph, gradients, ops } from '../core/engine/index.js';
import type { Tensor } from '../core/engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, swiglu } from '../core/engine/primitives/index.js';
import { stats } from './stats.js';

const B = 2;
const S = 256;
const H = 576;
const HEADS = 9;
const KV_HEADS = 3;
const HD = H / HEADS;
const I = 1536;
const R = 8;
const LORA_SCALE = 2;
const VOCAB = 49152;
const ROUNDS = 9;

function randomArray(n: number, amp: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = amp * (2 * Math.random() - 1);
  return a;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

interface Block {
  readonly session: EngineSession;
  readonly feeds: Record<string, Float32Array | BigInt64Array>;
  readonly buildMs: number;
}

interface Projection {
  readonly weight: Tensor;
  readonly a: Tensor;
  readonly b: Tensor;
}

/** Traces one block; `variant` picks primitives or the generic op set for the same math. */
async function buildBlock(variant: 'primitives' | 'generic'): Promise<Block> {
  const t0 = performance.now();
  const g = new Graph();
  const feeds: Record<string, Float32Array> = {};
  const params: Tensor[] = [];
  const param = (name: string, shape: number[], data: Float32Array): Tensor => {
    const t = g.parameter(name, 'float32', shape);
    feeds[name] = data;
    params.push(t);
    return t;
  };
  const x = param('x', [B, S, H], randomArray(B * S * H, 1));
  const upstream = g.input('upstream', 'float32', [B, S, H]);
  feeds['upstream'] = randomArray(B * S * H, 1);
  const cos = g.input('cos', 'float32', [B, S, HD]);
  const sin = g.input('sin', 'float32', [B, S, HD]);
  const cosv = new Float32Array(B * S * HD);
  const sinv = new Float32Array(B * S * HD);
  for (let i = 0; i < B * S; i++) {
    for (let d = 0; d < HD; d++) {
      const angle = (i % S) / Math.pow(10000, (2 * (d % (HD / 2))) / HD);
      cosv[i * HD + d] = Math.cos(angle);
      sinv[i * HD + d] = Math.sin(angle);
    }
  }
  feeds['cos'] = cosv;
  feeds['sin'] = sinv;
  const mask = g.input('mask', 'float32', [B, S]);
  feeds['mask'] = Float32Array.from({ length: B * S }, (_, i) => (i >= 2 * S - 17 ? 0 : 1));
  const frozen = (name: string, shape: number[], amp: number): Tensor => g.initializer(name, { data: randomArray(shape.reduce((a, b) => a * b, 1), amp), shape });
  const projection = (name: string, out: number, inp: number): Projection => ({
    weight: frozen(`${name}.weight`, [out, inp], 1 / Math.sqrt(inp)),
    a: param(`${name}.lora_A`, [R, inp], randomArray(R * inp, 0.02)),
    b: param(`${name}.lora_B`, [out, R], randomArray(out * R, 0.02)),
  });
  const pq = projection('q_proj', H, H);
  const pk = projection('k_proj', KV_HEADS * HD, H);
  const pv = projection('v_proj', KV_HEADS * HD, H);
  const po = projection('o_proj', H, H);
  const pg = projection('gate_proj', I, H);
  const pu = projection('up_proj', I, H);
  const pd = projection('down_proj', H, I);
  const ln1 = frozen('input_layernorm.weight', [H], 1);
  const ln2 = frozen('post_attention_layernorm.weight', [H], 1);
  const heads = (t: Tensor, n: number): Tensor => ops.transpose(ops.reshape(t, [B, S, n, HD]), [0, 2, 1, 3]);
  const merge = (t: Tensor): Tensor => ops.reshape(ops.transpose(t, [0, 2, 1, 3]), [B, S, H]);

  let y: Tensor;
  if (variant === 'primitives') {
    const proj = (p: Projection, t: Tensor): Tensor => linear(t, p.weight, { lora: { a: p.a, b: p.b, scale: LORA_SCALE } });
    const n1 = rmsNorm(x, ln1, 1e-5);
    const q = rotaryEmbedding(heads(proj(pq, n1), HEADS), cos, sin);
    const k = rotaryEmbedding(heads(proj(pk, n1), KV_HEADS), cos, sin);
    const v = heads(proj(pv, n1), KV_HEADS);
    const h1 = ops.add(x, proj(po, merge(attention(q, k, v, { scale: 1 / Math.sqrt(HD), causal: true, keyPaddingMask: mask }))));
    const n2 = rmsNorm(h1, ln2, 1e-5);
    y = ops.add(h1, proj(pd, swiglu(proj(pg, n2), proj(pu, n2))));
  } else {
    const proj = (p: Projection, t: Tensor): Tensor => {
      const base = ops.matmul(t, ops.transposeLast2(p.weight));
      return ops.add(base, ops.mul(ops.matmul(ops.matmul(t, ops.transposeLast2(p.a)), ops.transposeLast2(p.b)), LORA_SCALE));
    };
    const cos4 = ops.unsqueeze(cos, 1);
    const sin4 = ops.unsqueeze(sin, 1);
    const repeatKv = (t: Tensor): Tensor =>
      ops.reshape(ops.expandTo(ops.unsqueeze(t, 2), [B, KV_HEADS, HEADS / KV_HEADS, S, HD]), [B, HEADS, S, HD]);
    const n1 = ops.rmsNorm(x, ln1, 1e-5);
    const q = ops.applyRotary(heads(proj(pq, n1), HEADS), cos4, sin4);
    const k = repeatKv(ops.applyRotary(heads(proj(pk, n1), KV_HEADS), cos4, sin4));
    const v = repeatKv(heads(proj(pv, n1), KV_HEADS));
    const keep = ops.logicalAnd(ops.unsqueeze(ops.causalMask(g, S), [0, 1]), ops.paddingMask(mask));
    const scores = ops.add(ops.mul(ops.matmul(q, ops.transposeLast2(k)), 1 / Math.sqrt(HD)), ops.maskToBias(keep));
    const h1 = ops.add(x, proj(po, merge(ops.matmul(ops.softmax(scores, -1), v))));
    const n2 = ops.rmsNorm(h1, ln2, 1e-5);
    y = ops.add(h1, proj(pd, ops.mul(ops.silu(proj(pg, n2)), proj(pu, n2))));
  }
  // Σ y ⊙ upstream: the backward starts from a fixed dY, as inside a deeper model.
  const loss = ops.sum(ops.mul(y, upstream));
  const program = g.compile({ outputs: { loss, ...gradients(loss, params) } });
  // Two sessions are live and run interleaved: spinning workers of the idle one steal the cores
  // (measured 87 vs 56 ms per step with spinning on), so it is off for both.
  const session = await EngineSession.create(program, { spinning: 'off' });
  return { session, feeds, buildMs: performance.now() - t0 };
}

/** Frozen lm_head [V, H] + summed token cross-entropy over B·S tokens, gradient for the hidden states only. */
async function buildHead(variant: 'primitives' | 'generic'): Promise<Block> {
  const t0 = performance.now();
  const g = new Graph();
  const T = B * S;
  const h = g.parameter('h', 'float32', [T, H]);
  const labels = g.input('labels', 'int64', [T]);
  const w = g.initializer('lm_head.weight', { data: randomArray(VOCAB * H, 0.05), shape: [VOCAB, H] });
  const loss =
    variant === 'primitives'
      ? lmHeadCrossEntropy(h, w, labels).lossSum
      : ops.crossEntropy(ops.matmul(h, ops.transposeLast2(w)), labels, { reduction: 'sum' });
  const program = g.compile({ outputs: { loss, ...gradients(loss, [h]) } });
  const session = await EngineSession.create(program, { spinning: 'off' });
  const feeds: Record<string, Float32Array | BigInt64Array> = {
    h: randomArray(T * H, 1),
    labels: BigInt64Array.from({ length: T }, (_, i) => (i % 17 === 0 ? -100n : BigInt((i * 7919) % VOCAB))),
  };
  return { session, feeds, buildMs: performance.now() - t0 };
}

/** Times the variants interleaved (same sitting), prints a line per variant and their ratio. */
async function compare(bench: string, shape: Record<string, number>, build: (v: 'primitives' | 'generic') => Promise<Block>): Promise<void> {
  const blocks = { primitives: await build('primitives'), generic: await build('generic') };
  const times: Record<keyof typeof blocks, number[]> = { primitives: [], generic: [] };
  for (const b of Object.values(blocks)) await b.session.run(b.feeds);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, b] of Object.entries(blocks) as [keyof typeof blocks, Block][]) {
      const t0 = performance.now();
      await b.session.run(b.feeds);
      times[name].push(performance.now() - t0);
    }
  }
  for (const [name, b] of Object.entries(blocks) as [keyof typeof blocks, Block][]) {
    const s = stats(times[name]);
    console.log(JSON.stringify({ bench, variant: name, ...shape, rounds: ROUNDS, build_ms: Math.round(b.buildMs), step_ms_min: round1(s.min), step_ms_median: round1(s.median) }));
  }
  const p = stats(times.primitives);
  const gm = stats(times.generic);
  console.log(JSON.stringify({ bench: `${bench}.speedup`, generic_over_primitives_min: Math.round((gm.min / p.min) * 100) / 100, generic_over_primitives_median: Math.round((gm.median / p.median) * 100) / 100 }));
  for (const b of Object.values(blocks)) await b.session.release();
}

export async function runPrimitivesBench(): Promise<void> {
  await compare('primitives.block_fwd_bwd', { batch: B, seq: S, hidden: H, heads: HEADS, kv_heads: KV_HEADS, intermediate: I, lora_r: R }, buildBlock);
  await compare('primitives.lm_head_ce_fwd_bwd', { tokens: B * S, hidden: H, vocab: VOCAB }, buildHead);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runPrimitivesBench();
