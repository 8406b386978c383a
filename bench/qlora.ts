/**
 * QLoRA benchmark on the smol shape (random weights; batch 2 × 256 tokens, LoRA r 8 on all seven
 * projections, the causal-LM loss and its LoRA gradients, as `model.lora_sft_step`): the step
 * with fp32 frozen weights, with int8 and int4 block-quantized ones (forward MatMulNBits at fp32
 * compute, backward through the in-graph dequantization), and with nf4 + double quantization
 * (dequantized in the graph both ways); "+ckpt" rows recompute each layer in the backward
 * (gradient checkpointing, on by default with quantization in the recipes, and the LM head not
 * prepacked). Ratios are against the plain fp32 LoRA step. Each variant runs in its own process,
 * so peak RSS is that variant's alone; the matmul peak of the same sitting is printed beside the
 * step so the ratio can be read without another run.
 *
 *   npm run bench -- qlora
 */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feed } from '../core/engine/index.js';
import { EngineSession } from '../core/engine/index.js';
import { buildDecoderProgram } from '../core/model/decoder/index.js';
import { openModelFolder, parseWeightQuantization } from '../core/model/index.js';
import { openQuantizedStore } from '../core/model/quantize/index.js';
import { loraState, meanLoss, SMOL_CONFIG, SMOL_SHAPE, sequenceBatch, timeRounds, writeModel } from './model.js';
import type { BenchConfig } from './model.js';
import { enginePeakGflops } from './peak.js';
import { peakRssMb } from './peak-rss.js';
import { r1, stats } from './stats.js';

const CONFIG: BenchConfig = { ...SMOL_CONFIG, rounds: { ...SMOL_CONFIG.rounds, step: 3 } };
/**
 * Weights, and whether layers are recomputed in the backward ("+ckpt": gradient checkpointing,
 * which recipes turn on with quantization). The first is the baseline of the ratios.
 */
const VARIANTS = ['fp32', 'fp32+ckpt', 'int4', 'int8+ckpt', 'int4+ckpt', 'nf4+ckpt'] as const;
type Variant = (typeof VARIANTS)[number];

/** One variant in this process: prints one JSON line. */
async function runVariant(dir: string, variant: Variant): Promise<void> {
  const [weights, ckpt] = variant.split('+') as [string, string | undefined];
  const folder = await openModelFolder(dir);
  const t0 = performance.now();
  const model = weights === 'fp32' ? folder : { ...folder, quantized: await openQuantizedStore(folder.config, folder.weights, parseWeightQuantization(weights), join(dir, 'quantized')) };
  const quantizeMs = performance.now() - t0;
  const state = loraState(folder);
  const batch = sequenceBatch(CONFIG, folder);
  const feeds = (): Record<string, Feed> => ({ ...batch.feeds, ...Object.fromEntries(state.parameters.map((p) => [p.name, p.data])) });
  const t1 = performance.now();
  const session = await EngineSession.create(buildDecoderProgram(model, { outputs: ['lmLoss'], trainable: { kind: 'lora', lora: state.config }, gradientsOf: 'lmLossMean', dropout: false, checkpointLayers: ckpt === 'ckpt' }).program);
  const buildMs = performance.now() - t1;
  let loss = Number.NaN;
  const steps = stats(await timeRounds(CONFIG.rounds.step, async () => void (loss = meanLoss(await session.run(feeds(), { dims: batch.dims })))));
  await session.release();
  console.log(JSON.stringify({ variant, quantize_ms: Math.round(quantizeMs), build_ms: Math.round(buildMs), step_ms_min: r1(steps.min), step_ms_median: r1(steps.median), loss: Math.round(loss * 10000) / 10000, peak_rss_mb: peakRssMb() }));
}

export async function runQloraBench(): Promise<void> {
  const dir = await writeModel(SMOL_SHAPE);
  try {
    const rows: Record<string, number | string>[] = [];
    for (const variant of VARIANTS) {
      const child = spawnSync(process.execPath, ['--conditions=attune-source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, variant], { encoding: 'utf8' });
      const line = child.stdout.trim().split('\n').at(-1) ?? '';
      if (child.status !== 0 || !line.startsWith('{')) throw new Error(`bench qlora ${variant} failed:\n${child.stderr}`);
      rows.push(JSON.parse(line) as Record<string, number | string>);
    }
    const peak = await enginePeakGflops();
    const fp32 = rows[0]!;
    for (const row of rows) {
      console.log(
        JSON.stringify({
          bench: 'qlora.sft_step',
          config: SMOL_SHAPE.name,
          batch: CONFIG.batch,
          seq: CONFIG.seq,
          lora_rank: 8,
          rounds: CONFIG.rounds.step,
          ...row,
          step_vs_fp32: Math.round(((row.step_ms_min as number) / (fp32.step_ms_min as number)) * 100) / 100,
          peak_rss_vs_fp32: Math.round(((row.peak_rss_mb as number) / (fp32.peak_rss_mb as number)) * 100) / 100,
          loss_vs_fp32: Math.round(((row.loss as number) - (fp32.loss as number)) * 10000) / 10000,
          matmul_2048_gflops: r1(peak),
        }),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await runVariant(process.argv[3]!, process.argv[4] as Variant);
