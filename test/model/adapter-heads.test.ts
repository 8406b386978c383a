/**
 * Classification heads saved with an adapter (an SFT run's emotion/strategy heads) read at
 * inference: the last prompt token's final hidden state under the adapter, · Wᵀ + b, softmax —
 * against the float64 reference decoder; and the manifest's located errors.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Xoshiro128 } from '../../core/base/rng.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { initLora, loraConfig, modulePath, saveLoraAdapter } from '../../core/model/lora/index.js';
import { InferenceModel } from '../../core/model/generation/inference-model.js';
import { ModelTextGenerator } from '../../core/model/generation/text-generator.js';
import { referenceForward } from './reference/reference-decoder.js';
import { readReferenceTensors } from './reference/random-folder.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const CLASSES = ['sad', 'angry', 'joyful'];

describe('adapter classification heads', () => {
  test('predictions equal softmax(W·h + b) of the float64 reference at the last prompt token, batched with left padding', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const H = folder.config.hiddenSize;
    const lora = loraConfig({ r: 4, alpha: 8, targetModules: ['q', 'v', 'down'] });
    const state = initLora(lora, folder.config, 3);
    const rng = Xoshiro128.fromSeed(9);
    for (const p of state.parameters) if (p.name.endsWith('lora_B.weight')) for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.nextFloat() - 0.5) * 0.2;
    const weight = Float32Array.from({ length: CLASSES.length * H }, () => (rng.nextFloat() - 0.5) * 0.5);
    const bias = Float32Array.from([0.3, -0.2, 0.1]);
    const dir = await mkdtemp(join(tmpdir(), 'attune-heads-'));
    dirs.push(dir);
    const adapterDir = join(dir, 'adapter');
    await saveLoraAdapter(adapterDir, state, {
      baseModel: 'attune-tiny-qwen2',
      extraTensors: [
        { name: 'heads.emotion-head.weight', shape: [CLASSES.length, H], data: weight },
        { name: 'heads.emotion-head.bias', shape: [CLASSES.length], data: bias },
      ],
    });
    // As the SFT trainer writes it: beside the adapter folder.
    await writeFile(join(dir, 'heads.json'), JSON.stringify({ heads: [{ label: 'emotion', classes: CLASSES, weight: 'heads.emotion-head.weight' }] }));

    const model = await InferenceModel.open(folder, { adapter: adapterDir });
    try {
      const generator = new ModelTextGenerator(model);
      assert.deepEqual(generator.headLabels, ['emotion']);
      const conversations = [[{ role: 'user' as const, content: 'I lost my job today and I feel awful.' }], [{ role: 'user' as const, content: 'hi' }]];
      const readings = await generator.readHeads(conversations);
      const tensors = await readReferenceTensors(folder);
      const pairs = new Map(state.pairs().map((p) => [`${modulePath(p.layer, p.module)}.weight`, { a: Float64Array.from(p.a.data), b: Float64Array.from(p.b.data), r: lora.r }]));
      conversations.forEach((c, i) => {
        const ids = generator.encodeConversation(c);
        const out = referenceForward(folder.config, tensors, [ids], [ids.map(() => 1)], { scale: state.scale, pairs });
        const h = out.hidden[0]!.subarray((ids.length - 1) * H, ids.length * H);
        const z = CLASSES.map((_, k) => bias[k]! + h.reduce((s, v, j) => s + v * weight[k * H + j]!, 0));
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const p = e.map((v) => v / e.reduce((s, x) => s + x, 0));
        const reading = readings[i]!.emotion!;
        CLASSES.forEach((name, k) => assert.ok(Math.abs(reading.probabilities[name]! - p[k]!) < 1e-5, `conversation ${i}, ${name}: ${reading.probabilities[name]} vs ${p[k]}`));
        assert.equal(reading.label, CLASSES[p.indexOf(Math.max(...p))]);
      });
      // Answering as the base model, there are no heads to read.
      assert.deepEqual(new ModelTextGenerator(model, { useAdapter: false }).headLabels, []);
    } finally {
      await model.release();
    }

    // A manifest naming a tensor the adapter lacks, or a shape that is not classes × hidden.
    await writeFile(join(dir, 'heads.json'), JSON.stringify({ heads: [{ label: 'strategy', classes: CLASSES, weight: 'heads.strategy-head.weight' }] }));
    await assert.rejects(InferenceModel.open(folder, { adapter: adapterDir }), /heads\.json, heads\[0\] \(strategy\): the adapter's heads\.safetensors has no tensor heads\.strategy-head\.weight/);
    await writeFile(join(dir, 'heads.json'), JSON.stringify({ heads: [{ label: 'emotion', classes: ['a', 'b'], weight: 'heads.emotion-head.weight' }] }));
    await assert.rejects(InferenceModel.open(folder, { adapter: adapterDir }), /has shape \[3, \d+\], expected \[2, \d+\] \(classes × hidden size\)/);
  });
});
