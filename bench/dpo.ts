/**
 * DPO benchmark on the smol shape (Qwen2, hidden 576, 30 layers, vocab 49,152; random weights):
 * one DPO step of 2 pairs, 256 tokens on each side (a 64-token prompt and a 192-token reply), with
 * the reference log-probs precomputed (as `precomputeRefLogProbs` does, so the step is the
 * policy's forward + backward over both sides, the DPO loss and AdamW) — beside LoRA SFT steps
 * measured in the same sitting on the same model: B 2 × S 256 (one side's tokens; the issue's
 * yardstick, DPO should cost ≤ about 2.1× it) and B 4 × S 256 (both sides' tokens; ideally 1×).
 */
import { rm } from 'node:fs/promises';
import { AdamW } from '../core/engine/optim/index.js';
import { EngineSession } from '../core/engine/index.js';
import type { Feed } from '../core/engine/index.js';
import { openModelFolder } from '../core/model/index.js';
import type { ModelFolder } from '../core/model/index.js';
import { buildDecoderProgram, padBatch } from '../core/model/decoder/index.js';
import { initLora, loraConfig, LORA_TARGET_MODULES } from '../core/model/lora/index.js';
import type { LoraConfig } from '../core/model/lora/index.js';
import { PreferenceModel, preferencePairBatch } from '../core/train/preference/index.js';
import type { PreferenceObjective, PreferencePair } from '../core/train/preference/index.js';
import { IGNORE_INDEX } from '../core/base/ignore-index.js';
import { dpoObjective, dpoOptions } from '../plugins/objectives/dpo.js';
import { SMOL_SHAPE, timeRounds, writeModel } from './model.js';
import { r1, stats } from './stats.js';

const PAIRS = 2;
const PROMPT = 64;
const SIDE = 256;
const ROUNDS = 4;

const ids = (n: number, salt: number): number[] => Array.from({ length: n }, (_, t) => 100 + ((salt * 7919 + t * 131) % 40_000));

/** A sequence of SIDE tokens whose reply (after PROMPT prompt tokens) is learned. */
function side(prompt: number[], salt: number): { id: string; inputIds: number[]; labels: number[]; lastPromptIndex: number; classes: Record<string, number> } {
  const inputIds = [...prompt, ...ids(SIDE - PROMPT, salt)];
  const labels = inputIds.map((t, i) => (i < PROMPT ? IGNORE_INDEX : t));
  return { id: `s${salt}`, inputIds, labels, lastPromptIndex: PROMPT - 1, classes: {} };
}

async function sftStepMs(folder: ModelFolder, lora: LoraConfig, rows: number): Promise<number[]> {
  const params = initLora(lora, folder.config, 1).parameters;
  const batch = padBatch(Array.from({ length: rows }, (_, b) => side(ids(PROMPT, 50 + b), 60 + b)).map((r) => ({ ids: r.inputIds, labels: r.labels })), folder.config, { padId: 0 });
  const session = await EngineSession.create(buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'lora', lora }, gradientsOf: 'lmLossMean' }).program);
  const optimizer = new AdamW(params, { weightDecay: 0 });
  try {
    return await timeRounds(ROUNDS, async () => {
      const out = await session.run({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data as Feed])) }, { dims: batch.dims });
      optimizer.step(Object.fromEntries(params.map((p) => [p.name, out[p.name]!.data as Float32Array])), 1e-4);
    });
  } finally {
    await session.release();
  }
}

export async function runDpoBench(): Promise<void> {
  const dir = await writeModel(SMOL_SHAPE);
  const folder = await openModelFolder(dir);
  const lora = loraConfig({ r: 8, alpha: 16, targetModules: [...LORA_TARGET_MODULES] });
  const objective = (await dpoObjective.create(dpoOptions.parse({}), { baseDir: process.cwd(), warn: () => {} })) as PreferenceObjective;
  const model = new PreferenceModel(folder, lora, [objective], 1);
  const optimizer = new AdamW(model.parameters, { weightDecay: 0 });
  try {
    const pairs: PreferencePair[] = Array.from({ length: PAIRS }, (_, p) => {
      const prompt = ids(PROMPT, p);
      return { id: `pair${p}`, chosen: side(prompt, 10 + p), rejected: side(prompt, 20 + p), chosenTokens: SIDE - PROMPT, rejectedTokens: SIDE - PROMPT };
    });
    const batch = preferencePairBatch(pairs, { bucket: 32, maxLength: SIDE, padId: 0 }, folder.config);
    // Precomputed once, as precomputeRefLogProbs does: not part of the step.
    const logps = await model.sequenceLogProbs(batch, model.snapshot());
    const reference = { chosen: logps.slice(0, PAIRS), rejected: logps.slice(PAIRS) };
    const norms = { pairs: 1 / PAIRS, chosenTokens: 1 / (PAIRS * (SIDE - PROMPT)) };
    let loss = Number.NaN;
    const dpo = stats(
      await timeRounds(ROUNDS, async () => {
        const result = await model.trainStep(batch, reference, norms);
        loss = result.loss;
        optimizer.step(result.gradients, 1e-4);
      }),
    );
    // The SFT sessions run alone, as the DPO one did.
    await model.release();
    const sft2 = stats(await sftStepMs(folder, lora, PAIRS));
    const sft4 = stats(await sftStepMs(folder, lora, 2 * PAIRS));
    console.log(
      JSON.stringify({
        bench: 'dpo.step',
        config: SMOL_SHAPE.name,
        pairs: PAIRS,
        tokens_per_side: SIDE,
        reference: 'precomputed',
        rounds: ROUNDS,
        dpo_step_ms_min: r1(dpo.min),
        dpo_step_ms_median: r1(dpo.median),
        sft_step_b2_ms_min: r1(sft2.min),
        sft_step_b4_ms_min: r1(sft4.min),
        ratio_to_sft_b2_min: Math.round((dpo.min / sft2.min) * 100) / 100,
        ratio_to_sft_b2_target: 2.1,
        ratio_to_sft_b4_min: Math.round((dpo.min / sft4.min) * 100) / 100,
        loss_last: Math.round(loss * 1e4) / 1e4,
      }),
    );
  } finally {
    await model.release();
    await rm(dir, { recursive: true, force: true });
  }
}
