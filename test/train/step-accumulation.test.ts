import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GradientAccumulator } from '../../core/engine/optim/index.js';
import type { GradientMap } from '../../core/engine/optim/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { loraConfig } from '../../core/model/lora/index.js';
import { accumulateStep } from '../../core/train/accumulate-step.js';
import { collate } from '../../core/train/collate.js';
import type { TrainItem } from '../../core/train/collate.js';
import type { SftObjective } from '../../core/train/objective.js';
import { SftModel } from '../../core/train/sft-model.js';
import { stepNormalizers } from '../../core/train/step-weights.js';
import { emotionHeadObjective } from '../../plugins/objectives/emotion-head.js';
import { lmObjective } from '../../plugins/objectives/lm.js';

const env = { baseDir: '.', warn: (m: string) => assert.fail(m) };

/** max |a − b| over the named tensors, and max |b| (the scale the difference is judged against). */
function gap(a: GradientMap, b: GradientMap, names: readonly string[]): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (const name of names) {
    const x = a[name] as Float32Array;
    const y = b[name] as Float32Array;
    assert.equal(x.length, y.length, name);
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
      scale = Math.max(scale, Math.abs(y[i] as number));
    }
  }
  return { worst, scale };
}

test('normalizers are 1/(the step count) per term, 0 for a term the step holds nothing of', () => {
  const terms = [
    { name: 'lm', unit: 'targetTokens' as const },
    { name: 'emotion', unit: { label: 'emotion' } },
    { name: 'probe', unit: 'microBatch' as const },
  ];
  const batches = [
    { targetTokens: 3, labelled: { emotion: 0 } },
    { targetTokens: 0, labelled: { emotion: 2 } },
    { targetTokens: 5, labelled: { emotion: 2 } },
  ];
  assert.deepEqual(stepNormalizers(terms, batches), { lm: 1 / 8, emotion: 1 / 4, probe: 1 / 3 });
  assert.deepEqual(stepNormalizers(terms, [{ targetTokens: 0, labelled: { emotion: 0 } }]), { lm: 0, emotion: 0, probe: 1 });
  assert.throws(() => stepNormalizers(terms, [{ targetTokens: 1, labelled: {} }]), /without label field 'emotion'/);
});

test('a [dialogue-only] + [classify-only] step trains the emotion head as one batch holding both', async () => {
  const folder = await openModelFolder('attune-tiny-qwen2');
  const lm = (await lmObjective.create(lmObjective.options.parse({}), env)) as SftObjective;
  const emotion = (await emotionHeadObjective.create(emotionHeadObjective.options.parse({ weight: 0.5 }), env)) as SftObjective;
  const model = new SftModel(folder, loraConfig({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'down_proj'] }), [lm, emotion], 7);
  after(() => model.release());
  // B = 0 gives A no gradient; a nonzero B makes every factor's gradient count.
  for (const p of model.lora.parameters) if (p.name.endsWith('lora_B.weight')) p.data.forEach((_, i, d) => (d[i] = Math.sin(i) * 0.05));
  const dialogue: TrainItem = { id: 'd', inputIds: [11, 12, 13, 14, 15, 16, 17], labels: [-100, -100, -100, 14, 15, 16, 17], lastPromptIndex: 2, classes: {} };
  const classify: TrainItem = { id: 'c', inputIds: [21, 22, 23, 24, 25], labels: [-100, -100, -100, -100, -100], lastPromptIndex: 4, classes: { emotion: 3 } };
  const shape = { batch: 1, seq: 8, padId: 0 };
  const parts = [collate([dialogue], shape, folder.config, ['emotion']), collate([classify], shape, folder.config, ['emotion'])];
  assert.deepEqual(parts.map((b) => [b.targetTokens, b.labelled['emotion']]), [[4, 0], [0, 1]]);
  const whole = collate([dialogue, classify], { ...shape, batch: 2 }, folder.config, ['emotion']);

  const accumulator = new GradientAccumulator(model.parameters, { scaleBy: 'none' });
  const step = await accumulateStep(model, parts, accumulator, { step: 1, dropout: () => ({}) });
  const split = Object.fromEntries(Object.entries(step.gradients).map(([k, v]) => [k, Float32Array.from(v)]));
  const joint = await model.trainStep(whole, {});
  const alone = await model.trainStep(parts[0]!, {});

  const head = model.heads.map((p) => p.name);
  assert.deepEqual(head, ['heads.emotion.weight', 'heads.emotion.bias']);
  const h = gap(split, joint.gradients, head);
  assert.ok(h.scale > 0, 'the emotion head has a gradient');
  assert.ok(h.worst <= 1e-4 * h.scale, `emotion head: max |Δ| ${h.worst} against max |g| ${h.scale}`);
  const all = gap(split, joint.gradients, model.parameters.map((p) => p.name));
  assert.ok(all.worst <= 1e-4 * all.scale, `all parameters: max |Δ| ${all.worst} against max |g| ${all.scale}`);

  // The LM term is the dialogue batch's own: its logged mean, and the dialogue micro-batch's gradient under the step's normalizers.
  assert.ok(Math.abs((step.terms['lm'] as number) - (alone.losses['lm'] as number)) <= 1e-6 * Math.abs(alone.losses['lm'] as number));
  assert.ok(Math.abs((step.terms['emotion'] as number) - (joint.losses['emotion'] as number)) <= 1e-5 * (joint.losses['emotion'] as number));
  assert.ok(Math.abs(step.objective - (joint.losses['loss'] as number)) <= 1e-5 * (joint.losses['loss'] as number), `objective ${step.objective} vs ${joint.losses['loss']}`);
  const inStep = await model.trainStep(parts[0]!, {}, stepNormalizers(model.train.terms, parts));
  const lora = model.lora.parameters.map((p) => p.name);
  const l = gap(inStep.gradients, alone.gradients, lora);
  assert.ok(l.scale > 0, 'the LM term moves the adapter');
  assert.ok(l.worst <= 1e-4 * l.scale, `LM term: max |Δ| ${l.worst} against max |g| ${l.scale}`);

});
