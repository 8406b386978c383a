/**
 * Full fine-tuning of every weight (tied embeddings once) with AdamW, warmup + cosine decay and
 * global-norm clipping, on shuffled packed rows; norms and biases are not decayed. It runs as a
 * one-stage recipe through the shared stage loop, so it has a run directory with metrics,
 * checkpoints and `--resume <dir>` like every training run.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Message } from 'attune';
import { definePlugin, defineRecipe } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import type { RngState } from '../../core/base/rng.js';
import { EngineSession } from '../../core/engine/index.js';
import { exportParameters, loadParameters } from '../../core/engine/optim/index.js';
import type { GradientMap, Parameter, StoredTensorMap } from '../../core/engine/optim/index.js';
import { readTensorFile, runStage, stageLoopOptions, writeTensorFile } from '../../core/train/index.js';
import type { StageLoopOptions, StageWork } from '../../core/train/index.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch, readFullParameters } from '../../core/model/decoder/index.js';
import type { DecoderBatch } from '../../core/model/decoder/index.js';
import type { ModelFolder } from '../../core/model/folder/open-model-folder.js';
import { bfloat16ToFloat32, float32ToBfloat16 } from '../../core/model/safetensors/half.js';
import type { EmbeddedSpec } from './spec.js';

export interface PretrainReport {
  /** The stage-loop options the run used. */
  options: StageLoopOptions;
  steps: number;
  seconds: number;
  trainTokens: number;
  heldOutTokens: number;
  /** UTF-8 bytes of text behind the held-out tokens, for a loss per byte comparable across tokenizers. */
  heldOutBytes: number;
  /** Mean LM loss (nats/token) on the held-out rows before and after, and over the last 50 train steps. */
  heldOutBefore: number;
  heldOutAfter: number;
  /** The same after rounding to the committed dtype. */
  heldOutStored: number;
  trainFinal: number;
  /** Held-out loss at each evaluation of the run, from metrics.jsonl. */
  curve: { step: number; loss: number }[];
}

/** Conversations rendered with the chat template, tokenized and packed end to end into fixed-length rows. */
export function packRows(folder: ModelFolder, conversations: readonly Message[][], length: number): number[][] {
  const stream: number[] = [];
  for (const messages of conversations) stream.push(...folder.tokenizer.encodeChat(messages, { addGenerationPrompt: false }));
  const rows: number[][] = [];
  for (let at = 0; at + length <= stream.length; at += length) rows.push(stream.slice(at, at + length));
  return rows;
}

/** A seeded Fisher–Yates permutation of 0..n-1. */
function permutation(n: number, rng: Xoshiro128): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Held-out conversations in a seeded order, so the first rows sample every source rather than the first one. */
export function heldOutRows(folder: ModelFolder, conversations: readonly Message[][], shape: { length: number; rows: number }, seed: number): number[][] {
  const order = permutation(conversations.length, Xoshiro128.fromSeed(seed));
  return packRows(folder, order.map((i) => conversations[i]!), shape.length).slice(0, shape.rows);
}

function lmBatch(folder: ModelFolder, rows: readonly number[][]): DecoderBatch {
  return padBatch(
    rows.map((ids) => ({ ids, labels: ids })),
    folder.config,
    { padId: 0, context: 'pre-training' },
  );
}

/**
 * Mean LM loss (nats/token) of packed rows: one compiled forward and session, reused for every
 * evaluation. `fed` weights come with each call (a model being trained); `stored`, the folder's own.
 */
export class HeldOutScorer {
  private constructor(
    private readonly folder: ModelFolder,
    private readonly session: EngineSession,
    private readonly batchRows: number,
  ) {}

  static async open(folder: ModelFolder, weights: 'fed' | 'stored', batchRows: number): Promise<HeldOutScorer> {
    const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: weights === 'fed' ? { kind: 'full' } : { kind: 'none' }, dropout: false });
    return new HeldOutScorer(folder, await EngineSession.create(program), batchRows);
  }

  async loss(rows: readonly number[][], params: readonly Parameter[] = []): Promise<number> {
    const weights = Object.fromEntries(params.map((p) => [p.name, p.data]));
    let lossSum = 0;
    let count = 0;
    for (let at = 0; at < rows.length; at += this.batchRows) {
      const batch = lmBatch(this.folder, rows.slice(at, at + this.batchRows));
      const out = await this.session.run({ ...batch.feeds, ...weights }, { dims: batch.dims });
      lossSum += out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number;
      count += out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number;
    }
    return lossSum / count;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export type PretrainOutcome = { status: 'completed'; params: Parameter[]; report: PretrainReport } | { status: string };

export async function pretrain(
  folder: ModelFolder,
  spec: EmbeddedSpec,
  data: { train: readonly Message[][]; heldOut: readonly number[][]; heldOutBytes: number },
  run: { dir: string; resume: boolean; config: string },
): Promise<PretrainOutcome> {
  const length = spec.sequenceLength;
  const batchRows = spec.batchRows;
  const t0 = performance.now();
  const train = packRows(folder, data.train, length);
  process.stderr.write(`packed ${train.length} rows of ${length} tokens (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const heldOut = data.heldOut;
  if (train.length < batchRows || heldOut.length === 0) throw new Error(`corpus too small to pre-train: ${train.length} train and ${heldOut.length} held-out rows of ${length} tokens`);
  const params = await readFullParameters(folder);
  const scorer = await HeldOutScorer.open(folder, 'fed', batchRows);
  try {
    return await trainAndReport(folder, spec, { train, heldOut, heldOutBytes: data.heldOutBytes, params, scorer }, run);
  } finally {
    await scorer.release();
  }
}

async function trainAndReport(
  folder: ModelFolder,
  spec: EmbeddedSpec,
  data: { train: readonly number[][]; heldOut: readonly number[][]; heldOutBytes: number; params: Parameter[]; scorer: HeldOutScorer },
  run: { dir: string; resume: boolean; config: string },
): Promise<PretrainOutcome> {
  const { train, heldOut, params, scorer } = data;
  const length = spec.sequenceLength;
  const batchRows = spec.batchRows;
  const heldOutBefore = await scorer.loss(heldOut, params);
  let seconds = 0;
  let used: StageLoopOptions | undefined;
  const recent: number[] = [];
  const weightsFile = 'weights.safetensors';

  const recipe = defineRecipe({
    description: `pre-trains ${spec.name} (scripts/make-embedded-model.ts)`,
    stages: [{ name: 'pretrain', description: 'full fine-tuning on packed chat-rendered conversations' }],
    defaultConfig: spec.pretrainConfig,
    config: () => z.strictObject({ trainer: stageLoopOptions }),
    run: async (config, ctx) => {
      used = config.trainer;
      const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'full' }, gradientsOf: 'lmLossMean', dropout: false });
      const session = await EngineSession.create(program);
      const rng = Xoshiro128.fromSeed(ctx.seed);
      let order: number[] = [];
      const started = performance.now();
      const work: StageWork = {
        parameters: params,
        groups: [{ name: 'no-decay', match: (p) => p.shape.length === 1, weightDecay: 0 }],
        runStep: async () => {
          // A fresh permutation each epoch, drawn from the seeded stream.
          if (order.length < batchRows) order = permutation(train.length, rng);
          const batch = lmBatch(folder, order.splice(0, batchRows).map((i) => train[i]!));
          const out = await session.run({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) }, { dims: batch.dims });
          const loss = (out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number);
          recent.push(loss);
          if (recent.length > 50) recent.shift();
          const gradients: GradientMap = Object.fromEntries(params.map((p) => [p.name, out[p.name]!.data as Float32Array]));
          return { gradients, metrics: { loss }, tokens: batchRows * length, samples: batchRows };
        },
        evaluate: async () => ({ loss: await scorer.loss(heldOut, params) }),
        state: () => ({ rng: rng.state(), order, recent }),
        restore: (value) => {
          const state = value as { rng: RngState; order: number[]; recent: number[] };
          rng.restore(state.rng);
          order = [...state.order];
          recent.splice(0, recent.length, ...state.recent);
        },
        saveWeights: (dir) => writeTensorFile(join(dir, weightsFile), exportParameters(params)),
        loadWeights: async (dir) => loadParameters(params, (await readTensorFile(join(dir, weightsFile))) as StoredTensorMap, join(dir, weightsFile)),
        saveFinal: (dir) => writeTensorFile(join(dir, weightsFile), exportParameters(params)),
      };
      try {
        const result = await runStage(ctx, { stage: 'pretrain', options: config.trainer, work, evalSplit: 'held-out' });
        seconds = (performance.now() - started) / 1000;
        return { metrics: { steps: result.steps, ...result.metrics } };
      } finally {
        await session.release();
      }
    },
  });
  const kernel = await new Kernel().load({
    builtins: [definePlugin({ name: 'embedded', version: '0.1.0', register: (ctx) => ctx.recipes.register('embedded-pretrain', recipe) })],
  });
  const outcome = await runRecipe(kernel, { recipe: 'embedded-pretrain', interactive: true, ...(run.resume ? { resume: run.dir } : { out: run.dir, configFile: run.config }) });
  if (outcome.status !== 'completed') return { status: outcome.status };
  const steps = outcome.result?.metrics.steps ?? 0;
  // The stage loop's final evaluation is the held-out loss after pre-training.
  const heldOutAfter = outcome.result?.metrics.eval_loss ?? Number.NaN;
  const trainFinal = recent.reduce((a, b) => a + b, 0) / recent.length;
  return {
    status: 'completed',
    params,
    report: {
      options: used as StageLoopOptions,
      steps,
      seconds,
      trainTokens: train.length * length,
      heldOutTokens: heldOut.length * length,
      heldOutBytes: data.heldOutBytes,
      heldOutBefore,
      heldOutAfter,
      heldOutStored: await scorer.loss(heldOut, params.map((p) => ({ ...p, data: asStored(p.data, spec.dtype) }))),
      trainFinal,
      curve: evalCurve(join(outcome.runDir ?? run.dir, 'metrics.jsonl')),
    },
  };
}

/** Values as the committed dtype holds them (bf16 rounds to nearest even). */
function asStored(data: Float32Array, dtype: EmbeddedSpec['dtype']): Float32Array {
  return dtype === 'BF16' ? bfloat16ToFloat32(float32ToBfloat16(data)) : data;
}

/** The held-out loss at each evaluation (the last record per step wins, as a resumed run rewrites none). */
function evalCurve(file: string): { step: number; loss: number }[] {
  const byStep = new Map<number, number>();
  for (const row of readMetrics(file)) if (row.type === 'eval' && typeof row.step === 'number' && typeof row.loss === 'number') byStep.set(row.step, row.loss);
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([step, loss]) => ({ step, loss }));
}
