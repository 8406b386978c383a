/**
 * Model benchmark on two Qwen2-shaped configs with random weights (written to a temp folder with
 * the safetensors writer; ids are fed directly): whole-sequence forward with the causal-LM loss,
 * one LoRA SFT step (r 8 on all seven projections: forward, cross-entropy, backward, AdamW) — both
 * the training decoder's programs (core/model/decoder, buildDecoderProgram) — and
 * KV-cached greedy generation at batch 1 and 8 (prompt 64, 64 new tokens) with fp32 weights and with
 * int8 and int4 block-quantized ones (MatMulNBits, accuracy level 4). Min and median over
 * warm rounds, peak RSS. One JSON line per measurement, with the PyTorch 1.13 eager reference
 * (2 threads, same machine class) where one exists. The forward and step rows also carry their
 * matrix-product FLOPs (gemmGflops), the engine's 2048³ matmul rates measured at the start of the
 * same run — with the JavaScript copies (the issues' yardstick) and the kernel alone (stricter) —
 * and of_limit / of_gemm_only_limit: the time those FLOPs take at each rate over the measured
 * min. LoRA dropout is 0, as in the PyTorch reference.
 *
 *   npm run bench -- model            (both configs)
 *   tsx bench/model.ts tiny           (one)
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdamW } from '../core/engine/optim/index.js';
import type { EngineSession, Feed, RunOutput } from '../core/engine/index.js';
import { expectedTensors, openModelFolder, parseDecoderConfig, parseWeightQuantization, resolveModelFolder, writeSafetensors } from '../core/model/index.js';
import type { ModelFolder, TensorToWrite } from '../core/model/index.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch } from '../core/model/decoder/index.js';
import type { DecoderBatch } from '../core/model/decoder/index.js';
import { LORA_TARGET_MODULES, initLora, loraConfig } from '../core/model/lora/index.js';
import type { LoraState } from '../core/model/lora/index.js';
import { InferenceModel } from '../core/model/generation/inference-model.js';
import { generateTokens } from '../core/model/generation/generate.js';
import { EngineSession as Session } from '../core/engine/index.js';
import { r1, stats } from './stats.js';
import { peakRssMb } from './peak-rss.js';
import { engineGemmGflops, enginePeakGflops } from './peak.js';

export interface BenchConfig {
  readonly name: 'tiny' | 'smol';
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly tied: boolean;
  readonly batch: number;
  readonly seq: number;
  /** PyTorch 1.13 eager, 2 threads, this machine class. */
  readonly reference: { stepMs: number; forwardMs?: number; decodeTokPerSecB1: number; decodeTokPerSecB8?: number };
  readonly rounds: { forward: number; step: number; generate: number };
}

/** The SmolLM2-135M shape (Qwen2 layout), shared by the model, GRPO and DPO benches. */
export const SMOL_SHAPE = { name: 'smol', hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152, tied: true } as const;

/** The smol shape at the PyTorch reference's batch and length, with that reference. */
export const SMOL_CONFIG: BenchConfig = { ...SMOL_SHAPE, batch: 2, seq: 256, reference: { stepMs: 2900, forwardMs: 960, decodeTokPerSecB1: 20 }, rounds: { forward: 4, step: 4, generate: 2 } };

const CONFIGS: readonly BenchConfig[] = [
  { name: 'tiny', hidden: 256, layers: 4, heads: 8, kvHeads: 4, intermediate: 688, vocab: 8192, tied: false, batch: 4, seq: 256, reference: { stepMs: 280, decodeTokPerSecB1: 320, decodeTokPerSecB8: 1700 }, rounds: { forward: 7, step: 7, generate: 3 } },
  SMOL_CONFIG,
];

const RANK = 8;
const ALPHA = 16;
const PROMPT = 64;
const NEW_TOKENS = 64;

/** Deterministic uniform noise with the variance of N(0, std²). */
function noise(n: number, std: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  const amp = std * Math.sqrt(3);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = amp * (((s >>> 0) / 4294967296) * 2 - 1);
  }
  return a;
}


export async function writeModel(c: Pick<BenchConfig, 'name' | 'hidden' | 'layers' | 'heads' | 'kvHeads' | 'intermediate' | 'vocab' | 'tied'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `attune-bench-${c.name}-`));
  const config = {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: c.hidden,
    intermediate_size: c.intermediate,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    num_key_value_heads: c.kvHeads,
    hidden_act: 'silu',
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 2048,
    vocab_size: c.vocab,
    tie_word_embeddings: c.tied,
    torch_dtype: 'float32',
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const tensors = new Map<string, TensorToWrite>();
  let seed = 1;
  for (const { name, shape } of expectedTensors(parseDecoderConfig(config, 'config.json'))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = name.endsWith('norm.weight') ? new Float32Array(n).fill(1) : noise(n, 0.02, seed++);
    tensors.set(name, { dtype: 'F32', shape, data });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  // The bench feeds ids; a tokenizer is only there because a model folder has one.
  const embedded = resolveModelFolder('attune-tiny-qwen2');
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(embedded, f), join(dir, f));
  return dir;
}

export function randomIds(n: number, vocab: number, seed: number): number[] {
  const u = noise(n, 1, seed);
  return Array.from(u, (x) => Math.floor(((x / Math.sqrt(3) + 1) / 2) * (vocab - 1)));
}

/** A whole-sequence batch of random ids: B×S tokens, no padding, every next token a target. */
export function sequenceBatch(c: BenchConfig, folder: ModelFolder): DecoderBatch {
  const ids = randomIds(c.batch * c.seq, c.vocab, 99);
  const rows = Array.from({ length: c.batch }, (_, b) => {
    const row = ids.slice(b * c.seq, (b + 1) * c.seq);
    return { ids: row, labels: row };
  });
  return padBatch(rows, folder.config, { padId: 0 });
}

/** LoRA r 8 on all seven projections of every layer; PEFT init (A random, B zero) plus a little B so gradients are generic. */
export function loraState(folder: ModelFolder): LoraState {
  const state = initLora(loraConfig({ r: RANK, alpha: ALPHA, targetModules: [...LORA_TARGET_MODULES] }), folder.config, 1000);
  let seed = 2000;
  for (const { b } of state.pairs()) b.data.set(noise(b.data.length, 1e-3, seed++));
  return state;
}

export const meanLoss = (out: Record<string, RunOutput>): number => (out[DECODER_OUTPUTS.lmLossSum]?.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]?.data[0] as number);

/** One warm-up call, then `rounds` timed calls (ms each). */
export async function timeRounds(rounds: number, fn: () => Promise<void>): Promise<number[]> {
  await fn(); // warm-up: first-run allocations and prepacking
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/**
 * The matrix-product FLOPs of one forward and of one LoRA step (forward plus backward) at the
 * config's batch and length: the frozen projections and LM head (dX only in the backward), the
 * attention products over the whole S×S square (as the kernels compute it), and the LoRA factors
 * (dA, dB and their dX term in the backward). The step can be no faster than this at the
 * engine's own matmul rate; the rows give the fraction of that limit reached.
 */
export function gemmGflops(c: BenchConfig): { forward: number; step: number } {
  const headDim = c.hidden / c.heads;
  const kv = c.kvHeads * headDim;
  const tokens = c.batch * c.seq;
  const projections = c.layers * (c.hidden * (c.hidden + 2 * kv) + c.hidden * c.hidden + 3 * c.hidden * c.intermediate);
  const head = c.vocab * c.hidden;
  const lora = c.layers * RANK * (2 * (c.hidden + c.hidden) + 2 * (c.hidden + kv) + 3 * (c.hidden + c.intermediate));
  const attention = c.layers * 2 * c.batch * c.heads * c.seq * c.seq * headDim;
  const forward = 2 * (tokens * (projections + head + lora) + attention);
  const step = 2 * (tokens * (2 * projections + 2 * head + 3 * lora) + 3 * attention);
  return { forward: forward / 1e9, step: step / 1e9 };
}

/** The sitting's matmul rates (see peak.ts): with the JavaScript copies, and the kernel alone. */
interface Peaks {
  readonly matmul: number;
  readonly gemmOnly: number;
}

/** What a row reports beside its time: the sitting's matmul rates and the fraction of each limit it reaches. */
function ofLimit(gflop: number, peaks: Peaks, ms: number): Record<string, number> {
  const limitMs = (gflop / peaks.matmul) * 1000;
  const gemmLimitMs = (gflop / peaks.gemmOnly) * 1000;
  const fraction = (limit: number): number => Math.round((limit / ms) * 1000) / 1000;
  return {
    gemm_gflop: r1(gflop),
    matmul_peak_gflops: Math.round(peaks.matmul),
    limit_ms: r1(limitMs),
    of_limit: fraction(limitMs),
    gemm_only_gflops: Math.round(peaks.gemmOnly),
    gemm_only_limit_ms: r1(gemmLimitMs),
    of_gemm_only_limit: fraction(gemmLimitMs),
  };
}

async function benchTraining(c: BenchConfig, folder: ModelFolder, peaks: Peaks): Promise<void> {
  const flops = gemmGflops(c);
  const state = loraState(folder);
  const params = state.parameters;
  const batch = sequenceBatch(c, folder);
  const feeds = (): Record<string, Feed> => ({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) });
  const { dims } = batch;
  const tokens = c.batch * c.seq;
  const trainable = { kind: 'lora', lora: state.config } as const;

  let t0 = performance.now();
  let session: EngineSession = await Session.create(buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable, dropout: false }).program);
  const forwardBuild = performance.now() - t0;
  const fwd = stats(await timeRounds(c.rounds.forward, async () => void (await session.run(feeds(), { dims }))));
  await session.release();
  console.log(JSON.stringify({ bench: 'model.forward', config: c.name, batch: c.batch, seq: c.seq, lora_rank: RANK, rounds: c.rounds.forward, build_ms: Math.round(forwardBuild), forward_ms_min: r1(fwd.min), forward_ms_median: r1(fwd.median), ...ofLimit(flops.forward, peaks, fwd.min), ...(c.reference.forwardMs ? { pytorch_ms: c.reference.forwardMs, ratio_min: Math.round((fwd.min / c.reference.forwardMs) * 100) / 100 } : {}), peak_rss_mb: peakRssMb() }));

  t0 = performance.now();
  session = await Session.create(buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable, gradientsOf: 'lmLossMean' }).program);
  const stepBuild = performance.now() - t0;
  const optimizer = new AdamW(params, { weightDecay: 0 });
  let loss = Number.NaN;
  let optimizerMs = 0;
  const step = async (): Promise<void> => {
    const out = await session.run(feeds(), { dims });
    loss = meanLoss(out);
    const grads = Object.fromEntries(params.map((p) => [p.name, out[p.name]?.data as Float32Array]));
    const o0 = performance.now();
    optimizer.step(grads, 1e-4);
    optimizerMs = performance.now() - o0;
  };
  const steps = stats(await timeRounds(c.rounds.step, step));
  await session.release();
  console.log(
    JSON.stringify({
      bench: 'model.lora_sft_step',
      config: c.name,
      batch: c.batch,
      seq: c.seq,
      lora_rank: RANK,
      lora_params: params.reduce((a, p) => a + p.data.length, 0),
      rounds: c.rounds.step,
      build_ms: Math.round(stepBuild),
      step_ms_min: r1(steps.min),
      step_ms_median: r1(steps.median),
      adamw_ms_last: r1(optimizerMs),
      ...ofLimit(flops.step, peaks, steps.min),
      tokens_per_s_median: Math.round(tokens / (steps.median / 1000)),
      loss_last: Math.round(loss * 1000) / 1000,
      pytorch_step_ms: c.reference.stepMs,
      ratio_min: Math.round((steps.min / c.reference.stepMs) * 100) / 100,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

async function benchGeneration(c: BenchConfig, folder: ModelFolder, batch: number, quantization?: 'int4' | 'int8'): Promise<void> {
  const cacheDir = join(folder.dir, 'quantized');
  const model = await InferenceModel.open(folder, quantization ? { quantization: parseWeightQuantization(quantization), quantizedCacheDir: cacheDir } : {});
  const prompts = Array.from({ length: batch }, (_, b) => randomIds(PROMPT, Math.min(c.vocab, 3000), 7 + b));
  const t0 = performance.now();
  await model.session('cached', false);
  const build = performance.now() - t0;
  const total: number[] = [];
  const decode: number[] = [];
  const run = async (): Promise<{ totalMs: number; decodeMs: number }> => {
    const start = performance.now();
    let afterPrefill = start;
    const rows = await generateTokens(model, prompts, { maxNewTokens: NEW_TOKENS, eosTokenIds: [], onLogits: (s) => void (s === 0 && (afterPrefill = performance.now())) });
    if (rows.some((r) => r.tokens.length !== NEW_TOKENS)) throw new Error('bench: a row stopped early');
    const end = performance.now();
    return { totalMs: end - start, decodeMs: end - afterPrefill };
  };
  await run();
  for (let i = 0; i < c.rounds.generate; i++) {
    const r = await run();
    total.push(r.totalMs);
    decode.push(r.decodeMs);
  }
  await model.release();
  const t = stats(total);
  const d = stats(decode);
  const newTokens = batch * NEW_TOKENS;
  // Decode-only rate: the 63 tokens after the one the prefill yields.
  const decodeRate = (ms: number): number => Math.round((batch * (NEW_TOKENS - 1)) / (ms / 1000));
  const ref = batch === 1 ? c.reference.decodeTokPerSecB1 : c.reference.decodeTokPerSecB8;
  console.log(
    JSON.stringify({
      bench: 'model.generate',
      config: c.name,
      weights: quantization ?? 'fp32',
      batch,
      prompt: PROMPT,
      new_tokens: NEW_TOKENS,
      rounds: c.rounds.generate,
      // With quantization, the first build also quantizes every weight and writes the cache.
      build_ms: Math.round(build),
      total_ms_min: r1(t.min),
      total_ms_median: r1(t.median),
      tokens_per_s_median: Math.round(newTokens / (t.median / 1000)),
      decode_tokens_per_s_best: decodeRate(d.min),
      decode_tokens_per_s_median: decodeRate(d.median),
      ...(ref && !quantization ? { pytorch_decode_tokens_per_s: ref, speedup_median: Math.round((decodeRate(d.median) / ref) * 100) / 100 } : {}),
      peak_rss_mb: peakRssMb(),
    }),
  );
}

export async function runModelBench(only?: readonly string[]): Promise<void> {
  // Measured once, before the models: the rates every training row's limits are computed from.
  const peaks: Peaks = { matmul: await enginePeakGflops(), gemmOnly: await engineGemmGflops() };
  for (const c of CONFIGS) {
    if (only && only.length > 0 && !only.includes(c.name)) continue;
    const t0 = performance.now();
    const dir = await writeModel(c);
    const folder = await openModelFolder(dir);
    console.log(JSON.stringify({ bench: 'model.setup', config: c.name, parameters: expectedTensors(folder.config).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0), write_ms: Math.round(performance.now() - t0) }));
    try {
      await benchTraining(c, folder, peaks);
      for (const quantization of [undefined, 'int8', 'int4'] as const) {
        await benchGeneration(c, folder, 1, quantization);
        await benchGeneration(c, folder, 8, quantization);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runModelBench(process.argv.slice(2));
