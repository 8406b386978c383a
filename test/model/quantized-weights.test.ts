/**
 * Block-quantized frozen weights: the MatMulNBits packing against hand-worked bytes, error
 * bounds, the quantized product and its gradients against float64 on the dequantized weights, a
 * quantized model generating — and training (QLoRA) — exactly as the fp32 model with those
 * dequantized weights does, and a QLoRA run's adapter loading on the fp32 base.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EngineSession, Graph } from '../../core/engine/index.js';
import { quantizedLinear } from '../../core/engine/primitives/index.js';
import type { QuantizedWeight } from '../../core/engine/primitives/index.js';
import { GREEDY, generateTokens, InferenceModel, openModelFolder } from '../../core/model/index.js';
import type { ModelFolder } from '../../core/model/index.js';
import type { NBitsMatrix } from '../../core/model/quantize/index.js';
import type { WeightQuantization } from '../../core/model/quantize/index.js';
import { absmaxValues, dequantizeNBits, dequantizeNF4, NF4_TABLE, quantizeNF4, openQuantizedStore, parseWeightQuantization, quantizableWeights, quantizeNBits } from '../../core/model/quantize/index.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';
import { tempDir } from '../kernel/helpers.js';

/**
 * The model folder with its projections (and, with `head`, its LM head — untied, so the embedding
 * lookup keeps the fp32 table) replaced by their dequantized values: what quantized graphs must equal.
 */
async function dequantizedCopy(folder: ModelFolder, spec: WeightQuantization, options: { head: boolean }): Promise<string> {
  const dir = tempDir();
  const tensors: Record<string, TensorToWrite> = {};
  for (const name of folder.weights.names()) tensors[name] = { dtype: 'F32', shape: folder.weights.locate(name).shape, data: await folder.weights.readFloat32(name) };
  for (const name of quantizableWeights(folder.config)) {
    const isHead = name === 'model.embed_tokens.weight' || name === 'lm_head.weight';
    if (isHead && !options.head) continue;
    const [n, k] = folder.weights.locate(name).shape as [number, number];
    const w = await folder.weights.readFloat32(name);
    const deq = spec.type === 'nf4' ? dequantizeNF4(quantizeNF4(w, n, k, spec.blockSize, spec.doubleQuant)) : dequantizeNBits(quantizeNBits(w, n, k, spec.type === 'int8' ? 8 : 4, spec.blockSize));
    tensors[name === 'model.embed_tokens.weight' ? 'lm_head.weight' : name] = { dtype: 'F32', shape: [n, k], data: deq };
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const config = JSON.parse(readFileSync(join(folder.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: options.head ? false : config.tie_word_embeddings }));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) copyFileSync(join(folder.dir, f), join(dir, f));
  return dir;
}

/** A quantized matrix as graph initializers, at fp32 compute. */
function weightIn(g: Graph, q: NBitsMatrix): QuantizedWeight {
  const kb = Math.ceil(q.k / q.blockSize);
  return {
    format: 'nbits',
    packed: g.initializer('p', { data: q.packed, shape: [q.n, kb, (q.blockSize * q.bits) / 8], dtype: 'uint8' }),
    scales: g.initializer('s', { data: q.scales, shape: [q.n * kb] }),
    zeroPoints: g.initializer('z', { data: q.zeroPoints, shape: [q.zeroPoints.length], dtype: 'uint8' }),
    bits: q.bits,
    blockSize: q.blockSize,
    n: q.n,
    k: q.k,
    accuracyLevel: 0,
  };
}

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 2);
}

describe('MatMulNBits packing', () => {
  test('4-bit: codes low nibble first, zero points per block, a partial last block', () => {
    // Row 0: 0..15 then 16..19 (a block of 16 and a partial one); row 1: −8..7 then zeros.
    const k = 20;
    const w = new Float32Array(2 * k);
    for (let j = 0; j < k; j++) w[j] = j;
    for (let j = 0; j < 16; j++) w[k + j] = j - 8;
    const q = quantizeNBits(w, 2, k, 4, 16);
    // Row 0 block 0: range [0, 15] → scale 1, zero point 0, codes 0..15 → bytes 0|1<<4, 2|3<<4, …
    assert.equal(q.scales[0], 1);
    assert.deepEqual([...q.packed.subarray(0, 3)], [0x10, 0x32, 0x54]);
    // Row 1 block 0: range [−8, 7] → scale 1, zero point 8, codes v + 8.
    assert.equal(q.scales[2], 1);
    assert.equal(q.zeroPoints[1]! & 15, 8);
    assert.deepEqual([...q.packed.subarray(16, 18)], [0 | (1 << 4), 2 | (3 << 4)]);
    // Row 1's all-zero partial block: exact zeros.
    const back = dequantizeNBits(q);
    assert.deepEqual([...back.subarray(0, 16)], [...w.subarray(0, 16)]);
    assert.deepEqual([...back.subarray(k, 2 * k)], [...w.subarray(k, 2 * k)]);
    assert.equal(q.packed.length, 2 * 2 * 8);
  });

  test('8-bit: one code per byte, one zero point per block', () => {
    const w = Float32Array.from({ length: 32 }, (_, j) => j - 10);
    const q = quantizeNBits(w, 1, 32, 8, 32);
    assert.equal(q.zeroPoints.length, 1);
    const scale = q.scales[0]!;
    assert.equal(scale, Math.fround(31 / 255));
    assert.equal(q.zeroPoints[0], Math.round(10 / scale));
    assert.equal(q.packed[10], q.zeroPoints[0], 'the zero weight sits on the zero point');
  });

  for (const bits of [4, 8] as const) {
    test(`${bits}-bit round trip: every weight within half a step of its block's scale`, () => {
      const n = 24;
      const k = 200;
      const w = noise(n * k, bits);
      const q = quantizeNBits(w, n, k, bits, 32);
      const back = dequantizeNBits(q);
      const kb = Math.ceil(k / 32);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < k; j++) {
          const s = q.scales[r * kb + Math.floor(j / 32)]!;
          assert.ok(Math.abs(back[r * k + j]! - w[r * k + j]!) <= s / 2 + 1e-6, `w[${r}, ${j}]`);
        }
      }
    });
  }
});

test('the quantized product equals float64 on the dequantized weights (fp32 compute), with bias and LoRA', async () => {
  const [m, n, k, r] = [6, 40, 100, 4];
  const w = noise(n * k, 3);
  const x = noise(m * k, 4);
  const bias = noise(n, 5);
  const a = noise(r * k, 6);
  const b = noise(n * r, 7);
  const scale = 0.5;
  for (const bits of [4, 8] as const) {
    const q = quantizeNBits(w, n, k, bits, 32);
    const deq = dequantizeNBits(q);
    const g = new Graph();
    const xi = g.input('x', 'float32', [m, k]);
    const weight = weightIn(g, q);
    const lora = { a: g.input('a', 'float32', [r, k]), b: g.input('b', 'float32', [n, r]), scale };
    const y = g.withTapeSuspended(() => quantizedLinear(xi, weight, { bias: g.initializer('bias', { data: bias, shape: [n] }), lora }));
    const session = await EngineSession.create(g.compile({ outputs: { y } }));
    const out = (await session.run({ x, a, b })).y!.data as Float32Array;
    await session.release();
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let o = 0; o < n; o++) {
        let ref = bias[o]!;
        for (let j = 0; j < k; j++) ref += x[i * k + j]! * deq[o * k + j]!;
        for (let t = 0; t < r; t++) {
          let z = 0;
          for (let j = 0; j < k; j++) z += x[i * k + j]! * a[t * k + j]!;
          ref += scale * z * b[o * r + t]!;
        }
        worst = Math.max(worst, Math.abs(ref - out[i * n + o]!));
      }
    }
    assert.ok(worst < 2e-4, `${bits}-bit: max |Δ| ${worst}`);
  }
});

describe('generation through quantized weights', () => {
  test('equals fp32 generation with the dequantized weights: the same logits to fp32 noise, the same greedy tokens', async () => {
    const tiny = await openModelFolder('attune-tiny-qwen2');
    const spec = parseWeightQuantization({ type: 'int4', accuracyLevel: 0 });
    const cache = tempDir();
    const store = await openQuantizedStore(tiny.config, tiny.weights, spec, cache);
    assert.equal(store.built, true);
    assert.equal((await openQuantizedStore(tiny.config, tiny.weights, spec, cache)).built, false, 'the second open reads the cache');

    // The reference: the same model in fp32 with every quantized weight replaced by its dequantized
    // values — untied, so the embedding lookup keeps the fp32 table as the quantized graph does.
    const dir = await dequantizedCopy(tiny, spec, { head: true });

    const prompts = [tiny.tokenizer.encode('I feel lonely since my friend moved away.'), tiny.tokenizer.encode('Thank you')];
    const run = async (model: InferenceModel) => {
      const logits: Float32Array[] = [];
      const rows = await generateTokens(model, prompts, { maxNewTokens: 12, sampling: GREEDY, eosTokenIds: [], onLogits: (_step, l) => void logits.push(l.slice()) });
      await model.release();
      return { tokens: rows.map((row) => row.tokens), logits };
    };
    const quantized = await run(await InferenceModel.open(tiny, { quantization: spec }));
    const reference = await run(await InferenceModel.open(dir));
    assert.deepEqual(quantized.tokens, reference.tokens);
    let worst = 0;
    quantized.logits.forEach((l, s) => l.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference.logits[s]![i]!)))));
    assert.ok(worst < 1e-3, `max |Δ logit| ${worst}`);
  });
});

test('attune generate --quantize int4 answers; an unknown width is refused', async () => {
  const { attune } = await import('../cli/run-in-process.js');
  const ok = await attune(['generate', '--model', 'attune-tiny-qwen2', '--quantize', 'int4', '--prompt', 'hi', '--max-new-tokens', '3', '--greedy']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /\[3 tokens, max new tokens\]|\[\d+ tokens, end of sequence\]/);
  const bad = await attune(['generate', '--model', 'attune-tiny-qwen2', '--quantize', 'int3', '--prompt', 'hi']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /quantize/);
});

test('gradients through a quantized linear (dX, LoRA dA and dB, with a dropout mask) equal float64 on the dequantized weights', async () => {
  const { gradients, ops } = await import('../../core/engine/index.js');
  const [m, n, k, r] = [5, 24, 70, 3];
  const w = noise(n * k, 11);
  const x = noise(m * k, 12);
  const c = noise(m * n, 13);
  const a = noise(r * k, 14);
  const b = noise(n * r, 15);
  const mask = Float32Array.from({ length: m * k }, (_, i) => (i % 5 === 0 ? 0 : 1.25));
  const scale = 0.75;
  for (const bits of [4, 8] as const) {
    const q = quantizeNBits(w, n, k, bits, 16);
    const deq = dequantizeNBits(q);
    const g = new Graph();
    const xi = g.parameter('x', 'float32', [m, k]);
    const ai = g.parameter('a', 'float32', [r, k]);
    const bi = g.parameter('b', 'float32', [n, r]);
    const weight = weightIn(g, q);
    const y = quantizedLinear(xi, weight, { lora: { a: ai, b: bi, scale, dropoutMask: g.input('mask', 'float32', [m, k]) } });
    const loss = ops.sum(ops.mul(y, g.input('c', 'float32', [m, n])));
    const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, [xi, ai, bi]) } }));
    const out = await session.run({ x, a, b, c, mask });
    await session.release();
    // float64: y = x·Wᵀ + s·((x⊙mask)·Aᵀ)·Bᵀ, L = Σ c⊙y.
    const z = new Float64Array(m * r);
    for (let i = 0; i < m; i++) for (let t = 0; t < r; t++) for (let j = 0; j < k; j++) z[i * r + t]! += x[i * k + j]! * mask[i * k + j]! * a[t * k + j]!;
    const dz = new Float64Array(m * r); // dL/dz = s · c·B
    for (let i = 0; i < m; i++) for (let t = 0; t < r; t++) for (let o = 0; o < n; o++) dz[i * r + t]! += scale * c[i * n + o]! * b[o * r + t]!;
    const dx = new Float64Array(m * k);
    const da = new Float64Array(r * k);
    const db = new Float64Array(n * r);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        let v = 0;
        for (let o = 0; o < n; o++) v += c[i * n + o]! * deq[o * k + j]!;
        for (let t = 0; t < r; t++) v += dz[i * r + t]! * a[t * k + j]! * mask[i * k + j]!;
        dx[i * k + j] = v;
      }
    }
    for (let t = 0; t < r; t++) for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) da[t * k + j]! += dz[i * r + t]! * x[i * k + j]! * mask[i * k + j]!;
    for (let o = 0; o < n; o++) for (let t = 0; t < r; t++) for (let i = 0; i < m; i++) db[o * r + t]! += scale * c[i * n + o]! * z[i * r + t]!;
    const worst = (got: Float32Array, want: Float64Array): number => got.reduce((acc, v, i) => Math.max(acc, Math.abs(v - want[i]!)), 0);
    assert.ok(worst(out['x']!.data as Float32Array, dx) < 1e-4, `${bits}-bit dX: ${worst(out['x']!.data as Float32Array, dx)}`);
    assert.ok(worst(out['a']!.data as Float32Array, da) < 1e-4, `${bits}-bit dA: ${worst(out['a']!.data as Float32Array, da)}`);
    assert.ok(worst(out['b']!.data as Float32Array, db) < 1e-4, `${bits}-bit dB: ${worst(out['b']!.data as Float32Array, db)}`);
  }
});

test('QLoRA: the decoder loss and LoRA gradients through int4 and nf4 projections equal fp32 ones on the dequantized weights', async () => {
  const tiny = await openModelFolder('attune-tiny-qwen2');
  for (const type of ['int4', 'nf4'] as const) await checkDecoderEquality(tiny, parseWeightQuantization({ type }));
});

async function checkDecoderEquality(tiny: ModelFolder, spec: WeightQuantization): Promise<void> {
  const { buildDecoderProgram, padBatch } = await import('../../core/model/decoder/index.js');
  const { initLora, loraConfig, LORA_TARGET_MODULES } = await import('../../core/model/lora/index.js');
  const quantized = { ...tiny, quantized: await openQuantizedStore(tiny.config, tiny.weights, spec, tempDir()) };
  const reference = await openModelFolder(await dequantizedCopy(tiny, spec, { head: false }));
  const lora = initLora(loraConfig({ r: 4, alpha: 8, targetModules: [...LORA_TARGET_MODULES] }), tiny.config, 5);
  for (const { b } of lora.pairs()) b.data.set(noise(b.data.length, 17).map((v) => v * 0.01));
  const rows = [tiny.tokenizer.encode('I feel lonely since my friend moved away, and nobody calls.'), tiny.tokenizer.encode('Thank you for listening to me.')].map((ids) => ({ ids, labels: ids }));
  const batch = padBatch(rows, tiny.config, { padId: 0 });
  const run = async (model: typeof tiny) => {
    const session = await EngineSession.create(buildDecoderProgram(model, { outputs: ['lmLoss'], trainable: { kind: 'lora', lora: lora.config }, gradientsOf: 'lmLossMean', dropout: false }).program);
    const out = await session.run({ ...batch.feeds, ...Object.fromEntries(lora.parameters.map((p) => [p.name, p.data])) }, { dims: batch.dims });
    await session.release();
    return out;
  };
  const [q, f] = [await run(quantized), await run(reference)];
  for (const name of Object.keys(f)) {
    const a = q[name]!.data as Float32Array;
    const b = f[name]!.data as Float32Array;
    const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
    const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    assert.ok(worst <= 1e-4 * scale, `${spec.type} ${name}: max |Δ| ${worst} against max |value| ${scale}`);
  }
}

test('a QLoRA run (sft-multiobjective, quantization int4) trains with gradient checkpointing on by default, logs both, and its adapter loads on the fp32 base', { timeout: 300_000 }, async () => {
  const { attune } = await import('../cli/run-in-process.js');
  const out = join(tempDir(), 'run');
  const r = await attune(['run', 'sft-multiobjective', '--config', 'configs/sft-multiobjective/cpu-smoke.yaml', '--set', 'model=attune-tiny-qwen2', '--set', 'quantization.type=int4', '--set', 'trainer.options.steps=3', '--set', 'trainer.options.warmupSteps=0', '--set', 'trainer.options.evalEvery=3', '--set', 'trainer.options.checkpointEvery=3', '--set', 'trainer.options.evalExamples=8', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const log = readFileSync(join(out, 'run.log'), 'utf8');
  assert.match(log, /attune-tiny-qwen2: projections quantized to int4 \(block 32\)/);
  assert.match(log, /attune-tiny-qwen2: gradient checkpointing on/);
  const model = await InferenceModel.open('attune-tiny-qwen2', { adapter: join(out, 'final', 'adapter') });
  const [row] = await generateTokens(model, [model.folder.tokenizer.encode('hello')], { maxNewTokens: 3, sampling: GREEDY, eosTokenIds: [] });
  await model.release();
  assert.equal(row!.tokens.length, 3);
});

test('a QLoRA GRPO run samples its rollouts through the quantized weights it trains on (the first-step log-prob check passes)', { timeout: 300_000 }, async () => {
  const { attune } = await import('../cli/run-in-process.js');
  const out = join(tempDir(), 'run');
  const r = await attune(['run', 'grpo-empathy', '--config', 'configs/grpo-empathy/cpu-smoke.yaml', '--set', 'model=attune-tiny-qwen2', '--set', 'quantization.type=int4', '--set', 'trainer.options.steps=1', '--set', 'trainer.options.checkpointEvery=1', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const log = readFileSync(join(out, 'run.log'), 'utf8');
  assert.doesNotMatch(log, /log-prob of sampled token/);
  // gradientCheckpointing: false turns the default (on with quantization) off.
  const plain = join(tempDir(), 'run');
  const r2 = await attune(['run', 'grpo-empathy', '--config', 'configs/grpo-empathy/cpu-smoke.yaml', '--set', 'model=attune-tiny-qwen2', '--set', 'quantization.type=int4', '--set', 'gradientCheckpointing=false', '--set', 'trainer.options.steps=1', '--out', plain]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(log, /gradient checkpointing on/);
  assert.doesNotMatch(readFileSync(join(plain, 'run.log'), 'utf8'), /gradient checkpointing on/);
});

describe('NF4', () => {
  test('codes are the nearest table entries of w / absmax, low nibble first; a partial block pads with the code of 0', () => {
    // One row, k 20, block 16: block 0 holds every table value × 2 (exact), block 1 four values.
    const w = new Float32Array(20);
    for (let c = 0; c < 16; c++) w[c] = NF4_TABLE[c]! * 2;
    w.set([0.5, -0.5, 0.04, 0], 16);
    const q = quantizeNF4(w, 1, 20, 16, false);
    assert.deepEqual([...(q.absmax as Float32Array)], [2, 0.5]);
    assert.deepEqual([...q.codes.subarray(0, 2)], [0 | (1 << 4), 2 | (3 << 4)]);
    // 0.5/0.5 → 1.0 (code 15), −1 → code 0, 0.04/0.5 = 0.08 → 0.0796 (code 8), 0 → 7; padding → 7.
    assert.deepEqual([...q.codes.subarray(8, 16)], [15 | (0 << 4), 8 | (7 << 4), 0x77, 0x77, 0x77, 0x77, 0x77, 0x77]);
    const back = dequantizeNF4(q);
    assert.deepEqual([...back.subarray(0, 16)], [...w.subarray(0, 16)]);
    assert.equal(back[18], Math.fround(NF4_TABLE[8]! * 0.5));
  });

  test('double quantization keeps every absmax within half a step of its group, and dequantization uses those values', () => {
    const n = 40;
    const k = 256;
    const w = noise(n * k, 21);
    const plain = quantizeNF4(w, n, k, 64, false);
    const double = quantizeNF4(w, n, k, 64, true);
    const exact = plain.absmax as Float32Array;
    const dq = double.absmax as { q: Int8Array; scales: Float32Array; mean: number };
    const rebuilt = absmaxValues(double);
    exact.forEach((a, i) => assert.ok(Math.abs(rebuilt[i]! - a) <= dq.scales[Math.floor(i / 256)]! / 2 + 1e-6, `absmax ${i}`));
    assert.equal(dq.q.length % 256, 0);
    // The weights dequantize with the rebuilt absmax: a block's largest |w| comes back as its absmax.
    const back = dequantizeNF4(double);
    for (let blk = 0; blk < exact.length; blk++) {
      let largest = 0;
      for (let j = 0; j < 64; j++) largest = Math.max(largest, Math.abs(back[blk * 64 + j]!));
      assert.equal(largest, rebuilt[blk]);
    }
  });

  test('gradients through an nf4 linear (with and without double quantization) equal float64 on the dequantized weights', async () => {
    const { gradients, ops } = await import('../../core/engine/index.js');
    const [m, n, k, r] = [4, 20, 70, 2];
    const w = noise(n * k, 31);
    const x = noise(m * k, 32);
    const c = noise(m * n, 33);
    const a = noise(r * k, 34);
    const b = noise(n * r, 35);
    for (const doubleQuant of [false, true]) {
      const q = quantizeNF4(w, n, k, 32, doubleQuant);
      const deq = dequantizeNF4(q);
      const g = new Graph();
      const xi = g.parameter('x', 'float32', [m, k]);
      const ai = g.parameter('a', 'float32', [r, k]);
      const bi = g.parameter('b', 'float32', [n, r]);
      const codes = g.initializer('codes', { data: q.codes, shape: [n, q.codes.length / n], dtype: 'uint8' });
      const absmax = q.absmax instanceof Float32Array
        ? g.initializer('absmax', { data: q.absmax, shape: [q.absmax.length] })
        : { q: g.initializer('absmax_q', { data: q.absmax.q, shape: [q.absmax.q.length], dtype: 'int8' }), scales: g.initializer('absmax_s', { data: q.absmax.scales, shape: [q.absmax.scales.length] }), mean: q.absmax.mean };
      const y = quantizedLinear(xi, { format: 'nf4', codes, absmax, blockSize: 32, n, k }, { lora: { a: ai, b: bi, scale: 2 } });
      const loss = ops.sum(ops.mul(y, g.input('c', 'float32', [m, n])));
      const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, [xi, ai, bi]) } }));
      const out = await session.run({ x, a, b, c });
      await session.release();
      let lossRef = 0;
      const dx = new Float64Array(m * k);
      for (let i = 0; i < m; i++) {
        for (let o = 0; o < n; o++) {
          let yv = 0;
          for (let j = 0; j < k; j++) yv += x[i * k + j]! * deq[o * k + j]!;
          for (let t = 0; t < r; t++) {
            let z = 0;
            for (let j = 0; j < k; j++) z += x[i * k + j]! * a[t * k + j]!;
            yv += 2 * z * b[o * r + t]!;
          }
          lossRef += c[i * n + o]! * yv;
        }
        for (let j = 0; j < k; j++) {
          let v = 0;
          for (let o = 0; o < n; o++) {
            v += c[i * n + o]! * deq[o * k + j]!;
            for (let t = 0; t < r; t++) v += c[i * n + o]! * 2 * b[o * r + t]! * a[t * k + j]!;
          }
          dx[i * k + j] = v;
        }
      }
      assert.ok(Math.abs((out['loss']!.data[0] as number) - lossRef) < 1e-3, `loss ${out['loss']!.data[0]} vs ${lossRef}`);
      const worst = (out['x']!.data as Float32Array).reduce((acc, v, i) => Math.max(acc, Math.abs(v - dx[i]!)), 0);
      assert.ok(worst < 1e-4, `doubleQuant ${doubleQuant} dX: ${worst}`);
    }
  });
});
