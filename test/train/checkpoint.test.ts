import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { loadLoraAdapter, loraConfig } from '../../core/model/lora/index.js';
import { checkpointFiles, loadTrainables, saveTrainables } from '../../core/train/checkpoint.js';
import type { SftObjective } from '../../core/train/objective.js';
import { SftModel } from '../../core/train/sft-model.js';
import { lmObjective } from '../../plugins/objectives/lm.js';
import { strategyHeadObjective } from '../../plugins/objectives/strategy-head.js';

const env = { baseDir: '.', warn: (m: string) => assert.fail(m) };

test('a checkpoint is a PEFT adapter with the heads beside it, restored exactly, and refused under another LoRA config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-sft-ckpt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const folder = await openModelFolder('attune-tiny-qwen2');
  const objectives = [
    (await lmObjective.create(lmObjective.options.parse({}), env)) as SftObjective,
    (await strategyHeadObjective.create(strategyHeadObjective.options.parse({}), env)) as SftObjective,
  ];
  const make = (r: number): SftModel => new SftModel(folder, loraConfig({ r, alpha: 8, targetModules: ['q_proj', 'v_proj'] }), objectives, 1);
  const saved = make(4);
  for (const p of saved.parameters) p.data.forEach((_, i, d) => (d[i] = Math.cos(i + p.name.length)));
  await saveTrainables(dir, saved, 'attune-tiny-qwen2');

  const adapter = await loadLoraAdapter(join(dir, checkpointFiles.adapterDir), folder.config);
  assert.equal(adapter.baseModel, 'attune-tiny-qwen2');
  assert.deepEqual(adapter.extraTensors.map((t) => t.name).sort(), ['heads.strategy.bias', 'heads.strategy.weight']);

  const restored = make(4);
  await loadTrainables(dir, restored, folder.config);
  restored.parameters.forEach((p, i) => assert.deepEqual(p.data, saved.parameters[i]?.data, p.name));

  const other = make(8);
  await assert.rejects(loadTrainables(dir, other, folder.config), /r=4, alpha=8.*this run has r=8/);
});
