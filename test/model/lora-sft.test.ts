/**
 * A few optimizer steps of supervised fine-tuning on the embedded model lower the loss: LoRA
 * (with dropout masks fed per step) and full fine-tuning, each checked on a dropout-free
 * evaluation graph before and after, the way a trainer uses the decoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSession } from '../../core/engine/index.js';
import type { Feed } from '../../core/engine/index.js';
import { AdamW } from '../../core/engine/optim/adamw.js';
import type { GradientMap, Parameter } from '../../core/engine/optim/parameter.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import type { ModelFolder } from '../../core/model/folder/open-model-folder.js';
import { DECODER_OUTPUTS, buildDecoderProgram, loraDropoutFeeds, padBatch, readFullParameters } from '../../core/model/decoder/index.js';
import type { DecoderBatch, Trainable } from '../../core/model/decoder/index.js';
import { initLora, loraConfig } from '../../core/model/lora/index.js';

const TEXTS = [
  'I hear how hard this week has been for you.',
  'That sounds really lonely. Do you want to talk about it?',
  'It makes sense that you feel overwhelmed right now.',
];

function sftBatch(folder: ModelFolder): DecoderBatch {
  const rows = TEXTS.map((text) => {
    const ids = folder.tokenizer.encode(text, { addSpecialTokens: false });
    return { ids, labels: ids };
  });
  return padBatch(rows, folder.config, { padId: 0, side: 'right' });
}

async function meanLoss(folder: ModelFolder, trainable: Trainable, batch: DecoderBatch, params: readonly Parameter[]): Promise<number> {
  const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable, dropout: false });
  const session = await EngineSession.create(program);
  try {
    const out = await session.run({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) }, { dims: batch.dims });
    return (out[DECODER_OUTPUTS.lmLossSum]?.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]?.data[0] as number);
  } finally {
    await session.release();
  }
}

async function train(folder: ModelFolder, trainable: Trainable, params: Parameter[], steps: number, lr: number, extraFeeds: () => Record<string, Feed>): Promise<void> {
  const batch = sftBatch(folder);
  const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable, gradientsOf: 'lmLossMean' });
  const session = await EngineSession.create(program);
  const optimizer = new AdamW(params, { weightDecay: 0 });
  try {
    for (let step = 0; step < steps; step++) {
      const out = await session.run({ ...batch.feeds, ...extraFeeds(), ...Object.fromEntries(params.map((p) => [p.name, p.data])) }, { dims: batch.dims });
      const grads: GradientMap = Object.fromEntries(params.map((p) => [p.name, out[p.name]?.data as Float32Array]));
      optimizer.step(grads, lr);
    }
  } finally {
    await session.release();
  }
}

test('LoRA SFT with dropout lowers the loss on the embedded model', async () => {
  const folder = await openModelFolder('attune-tiny-qwen2');
  const batch = sftBatch(folder);
  const config = loraConfig({ r: 8, alpha: 16, dropout: 0.05 });
  const trainable: Trainable = { kind: 'lora', lora: config };
  const state = initLora(config, folder.config, 1);
  const before = await meanLoss(folder, trainable, batch, state.parameters);
  const rng = Xoshiro128.fromSeed(2);
  const { trace } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable });
  await train(folder, trainable, [...state.parameters], 16, 1e-2, () => loraDropoutFeeds(trace.dropoutInputs, batch.dims, rng));
  const after = await meanLoss(folder, trainable, batch, state.parameters);
  assert.ok(Number.isFinite(before) && before > 1, `initial loss ${before}`);
  assert.ok(after < before - 0.5, `LoRA SFT: loss ${before.toFixed(3)} -> ${after.toFixed(3)}`);
});

test('full fine-tuning lowers the loss on the embedded model (tied embeddings trained once)', async () => {
  const folder = await openModelFolder('attune-tiny-qwen2');
  const batch = sftBatch(folder);
  const trainable: Trainable = { kind: 'full' };
  const params = await readFullParameters(folder);
  assert.ok(!params.some((p) => p.name === 'lm_head.weight'), 'a tied model has no separate lm_head parameter');
  const before = await meanLoss(folder, trainable, batch, params);
  await train(folder, trainable, params, 6, 3e-3, () => ({}));
  const after = await meanLoss(folder, trainable, batch, params);
  assert.ok(after < 0.8 * before, `full fine-tuning: loss ${before.toFixed(3)} -> ${after.toFixed(3)}`);
});
