import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GradientAccumulator } from '../../core/engine/optim/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { loraConfig } from '../../core/model/lora/index.js';
import { collate } from '../../core/train/collate.js';
import type { TrainItem } from '../../core/train/collate.js';
import type { SftObjective } from '../../core/train/objective.js';
import { SftModel } from '../../core/train/sft-model.js';
import { stepNormalizers } from '../../core/train/step-weights.js';
import { lmObjective } from '../../plugins/objectives/lm.js';

const env = { baseDir: '.', warn: (m: string) => assert.fail(m) };

test('step-normalized accumulation of two uneven micro-batches equals one batch holding both', async () => {
  const folder = await openModelFolder('attune-tiny-qwen2');
  const lm = (await lmObjective.create(lmObjective.options.parse({}), env)) as SftObjective;
  const model = new SftModel(folder, loraConfig({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'down_proj'] }), [lm], 5);
  after(() => model.release());
  // B = 0 gives A no gradient; a nonzero B makes every factor's gradient count.
  for (const p of model.lora.parameters) if (p.name.endsWith('lora_B.weight')) p.data.forEach((_, i, d) => (d[i] = Math.sin(i) * 0.05));
  const short: TrainItem = { id: 's', inputIds: [11, 12, 13, 14, 15, 16], labels: [-100, -100, -100, 14, 15, 16], lastPromptIndex: 2, classes: {} };
  const long: TrainItem = { id: 'l', inputIds: [21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32], labels: [-100, -100, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32], lastPromptIndex: 1, classes: {} };
  const shape = { batch: 1, seq: 16, padId: 0 };
  const parts = [collate([short], shape, folder.config, []), collate([long], shape, folder.config, [])];
  assert.deepEqual(parts.map((b) => b.targetTokens), [3, 10]);

  // As the trainer does: each term normalized by its count over the whole step, gradients summed.
  const norms = stepNormalizers(model.train.terms, parts);
  const accumulator = new GradientAccumulator(model.parameters, { scaleBy: 'none' });
  for (const batch of parts) accumulator.add((await model.trainStep(batch, {}, norms)).gradients);
  const accumulated = accumulator.finish();
  const whole = await model.trainStep(collate([short, long], { ...shape, batch: 2 }, folder.config, []), {});

  let worst = 0;
  let scale = 0;
  for (const p of model.parameters) {
    const a = accumulated[p.name] as Float32Array;
    const b = whole.gradients[p.name] as Float32Array;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      scale = Math.max(scale, Math.abs(b[i] as number));
    }
  }
  assert.ok(scale > 0, 'gradients are not all zero');
  assert.ok(worst <= 1e-4 * scale, `max |Δ| ${worst} against max |g| ${scale}`);
  // The plain micro-batch mean would weight the 3-token batch like the 10-token one.
  const plain = new GradientAccumulator(model.parameters, { scaleBy: 'microBatches' });
  for (const batch of parts) plain.add((await model.trainStep(batch, {})).gradients);
  const mean = plain.finish();
  const off = model.parameters.some((p) => (mean[p.name] as Float32Array).some((v, i) => Math.abs(v - ((whole.gradients[p.name] as Float32Array)[i] as number)) > 10 * worst + 1e-6 * scale));
  assert.ok(off, 'the micro-batch mean differs from the whole-batch gradient');
});
