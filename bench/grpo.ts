/**
 * GRPO benchmark on the smol shape (Qwen2, hidden 576, 30 layers, vocab 49,152; random weights):
 * one GRPO step of 4 prompts × G 8 (prompt 64 random ids, 64 new tokens sampled at T 1 from the
 * adapter being trained, no early stop) with its time split — generate, the update (forward +
 * backward of the 32 completions in micro-batches of 8; rewards are synthetic advantages, since
 * scoring is the reward models' cost, benched in cross-encoder) — and the decode rate at batch 32
 * beside the limit the engine's 2048³ matmul rate in the same sitting allows: a decode step at
 * batch 32 costs 2 × (linear weights + lm_head) × 32 FLOPs (about 8.6 GFLOP here).
 */
import { rm } from 'node:fs/promises';
import { expectedTensors, openModelFolder } from '../core/model/index.js';
import { loraConfig, LORA_TARGET_MODULES } from '../core/model/lora/index.js';
import { rolloutMicroBatch, rolloutNormalizer, rolloutRow, rolloutRowWeights, RolloutModel } from '../core/train/rollout/index.js';
import type { RolloutObjective } from '../core/train/rollout/index.js';
import { grpoObjective, grpoOptions } from '../plugins/objectives/grpo.js';
import { SMOL_SHAPE, writeModel } from './model.js';
import { enginePeakGflops } from './peak.js';
import { r1, stats } from './stats.js';

const PROMPTS = 4;
const G = 8;
const PROMPT = 64;
const NEW = 64;
const MICRO = 8;
const ROUNDS = 2;

export async function runGrpoBench(): Promise<void> {
  const dir = await writeModel(SMOL_SHAPE);
  const folder = await openModelFolder(dir);
  const o = grpoOptions.parse({});
  const objective = (await grpoObjective.create(o, { baseDir: process.cwd(), warn: () => {} })) as RolloutObjective;
  const model = new RolloutModel(folder, loraConfig({ r: 8, alpha: 16, targetModules: [...LORA_TARGET_MODULES] }), { objectives: [objective], temperature: 1, feedOldLogProbs: false, seed: 1 });
  const prompts = Array.from({ length: PROMPTS * G }, (_, k) => Array.from({ length: PROMPT }, (_, t) => 100 + ((Math.floor(k / G) * 977 + t * 131) % 2900)));
  const split = { generate: [] as number[], decode: [] as number[], update: [] as number[] };
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const t0 = performance.now();
      let afterPrefill = t0;
      const results = await model.generate(prompts, { maxNewTokens: NEW, sampling: { doSample: true, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 }, eosTokenIds: [], seed: 7 + round, onLogits: (s) => void (s === 0 && (afterPrefill = performance.now())) });
      const t1 = performance.now();
      const rows = results.map((r, k) => rolloutRow(prompts[k]!, r.tokens, undefined, ((k % G) - (G - 1) / 2) / G, false));
      const active = rows.reduce((n, r) => n + r.activeTokens, 0);
      for (let start = 0; start < rows.length; start += MICRO) {
        const indices = Array.from({ length: MICRO }, (_, i) => start + i);
        const counts = { rowTokens: indices.map((i) => rows[i]!.activeTokens) };
        const batch = rolloutMicroBatch(rows, indices, MICRO, { padId: 0, bucket: 32, maxLength: PROMPT + NEW, rowWeights: rolloutRowWeights(o.lossType, counts), withOld: false });
        await model.trainStep(batch, rolloutNormalizer(o.lossType, counts, { microBatches: rows.length / MICRO, activeTokens: active, maxCompletionLength: NEW }));
      }
      const t2 = performance.now();
      // Round 0 warms up (compiles the sessions); it is not reported.
      if (round === 0) continue;
      split.generate.push(t1 - t0);
      split.decode.push(t1 - afterPrefill);
      split.update.push(t2 - t1);
    }
    const peak = await enginePeakGflops();
    const weights = expectedTensors(folder.config).filter((t) => t.shape.length === 2 && !t.name.includes('embed_tokens')).reduce((n, t) => n + t.shape[0]! * t.shape[1]!, 0) + folder.config.vocabSize * folder.config.hiddenSize;
    const stepFlop = 2 * weights * PROMPTS * G;
    const limit = (peak * 1e9) / stepFlop * PROMPTS * G;
    const decodeRate = (ms: number): number => (PROMPTS * G * (NEW - 1)) / (ms / 1000);
    const g = stats(split.generate);
    const d = stats(split.decode);
    const u = stats(split.update);
    console.log(
      JSON.stringify({
        bench: 'grpo.step',
        config: SMOL_SHAPE.name,
        prompts: PROMPTS,
        generations: G,
        prompt_tokens: PROMPT,
        new_tokens: NEW,
        rounds: ROUNDS,
        generate_ms_min: r1(g.min),
        generate_ms_median: r1(g.median),
        update_ms_min: r1(u.min),
        update_ms_median: r1(u.median),
        step_ms_min: r1(g.min + u.min),
        generate_share_median: Math.round((g.median / (g.median + u.median)) * 100) / 100,
      }),
    );
    console.log(
      JSON.stringify({
        bench: 'grpo.decode',
        config: SMOL_SHAPE.name,
        batch: PROMPTS * G,
        decode_gflop_per_step: r1(stepFlop / 1e9),
        decode_tokens_per_s_best: Math.round(decodeRate(d.min)),
        decode_tokens_per_s_median: Math.round(decodeRate(d.median)),
        matmul_2048_gflops: r1(peak),
        limit_tokens_per_s: Math.round(limit),
        fraction_of_limit_best: Math.round((decodeRate(d.min) / limit) * 1000) / 1000,
      }),
    );
  } finally {
    await model.release();
    await rm(dir, { recursive: true, force: true });
  }
}
