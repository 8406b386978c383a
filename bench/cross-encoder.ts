/**
 * Cross-encoder scoring throughput: a RoBERTa-base-shaped sequence classifier (hidden 768, 12
 * layers, 12 heads, intermediate 3072, num_labels 1; random weights; a 1,024-token vocabulary,
 * since the embedding gather costs no FLOPs) on batches of 16 pairs × 128 tokens, min and median
 * pairs/s, beside the engine's own 2048³ matmul GFLOP/s measured in the same sitting and the
 * pairs/s that peak would allow.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSession } from '../core/engine/index.js';
import { buildClassifierProgram, classifierBatch, encoderTensorNames, parseClassifierConfig } from '../core/model/classifier/index.js';
import { SafetensorsWeights } from '../core/model/safetensors/sharded.js';
import { writeSafetensors } from '../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../core/model/safetensors/writer.js';
import { stats } from './stats.js';
import { enginePeakGflops } from './peak.js';

const BATCH = 16;
const SEQ = 128;
const ROUNDS = 5;
const H = 768;
const LAYERS = 12;
const INTER = 3072;

/** Multiply–adds ×2 of one batch: q/k/v/o and the MLP per token, QKᵀ and PV per token pair, per layer. */
const FLOP = LAYERS * BATCH * SEQ * (2 * 4 * H * H + 2 * 2 * H * INTER + 2 * 2 * SEQ * H);

export async function runCrossEncoderBench(): Promise<void> {
  const raw = {
    architectures: ['RobertaForSequenceClassification'],
    model_type: 'roberta',
    hidden_size: H,
    num_hidden_layers: LAYERS,
    num_attention_heads: 12,
    intermediate_size: INTER,
    max_position_embeddings: 514,
    type_vocab_size: 1,
    vocab_size: 1024,
    layer_norm_eps: 1e-5,
    pad_token_id: 1,
    num_labels: 1,
  };
  const config = parseClassifierConfig(raw, 'config.json');
  if (config.kind !== 'encoder') throw new Error('bench: expected an encoder config');
  const dir = await mkdtemp(join(tmpdir(), 'attune-bench-xenc-'));
  try {
    const tensors: Record<string, TensorToWrite> = {};
    for (const { name, shape } of encoderTensorNames(config.encoder, 1)) {
      const n = shape.reduce((x, y) => x * y, 1);
      const isNorm = name.endsWith('LayerNorm.weight');
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (isNorm ? 1 : 0) + (Math.random() - 0.5) * (isNorm ? 0.1 : 0.05);
      tensors[name] = { dtype: 'F32', shape, data };
    }
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
    await writeFile(join(dir, 'config.json'), JSON.stringify(raw));
    const weights = await SafetensorsWeights.openFolder(dir);
    const buildStart = performance.now();
    const session = await EngineSession.create(buildClassifierProgram({ config, weights }));
    const buildMs = performance.now() - buildStart;
    // Pairs of mixed real lengths padded to 128, as a batch of (user turn, reply) pairs would be.
    const rows = Array.from({ length: BATCH }, (_, b) => {
      const length = SEQ - (b % 4) * 8;
      const ids = Array.from({ length }, (_, t) => (t === 0 ? 0 : t === length - 1 ? 2 : 4 + ((b * 31 + t * 7) % 1000)));
      return { ids, typeIds: ids.map(() => 0), truncated: 0 };
    });
    const batch = classifierBatch(config, rows, SEQ);
    await session.run(batch.feeds, { dims: batch.dims });
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await session.run(batch.feeds, { dims: batch.dims });
      ms.push(performance.now() - t0);
    }
    await session.release();
    const peak = await enginePeakGflops();
    const s = stats(ms);
    const pairsPerS = (t: number): number => Math.round((BATCH / (t / 1000)) * 100) / 100;
    const limit = (peak * 1e9 * BATCH) / FLOP;
    console.log(
      JSON.stringify({
        bench: 'cross-encoder.roberta-base-shape',
        batch: BATCH,
        seq: SEQ,
        gflop_per_batch: Math.round(FLOP / 1e9),
        build_ms: Math.round(buildMs),
        batch_ms_min: Math.round(s.min),
        batch_ms_median: Math.round(s.median),
        pairs_per_s_best: pairsPerS(s.min),
        pairs_per_s_median: pairsPerS(s.median),
        achieved_gflops_best: Math.round(FLOP / (s.min / 1000) / 1e9),
        engine_matmul_2048_gflops_best: Math.round(peak),
        limit_pairs_per_s: Math.round(limit * 100) / 100,
        fraction_of_limit_best: Math.round((pairsPerS(s.min) / limit) * 1000) / 1000,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
