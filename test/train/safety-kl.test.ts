import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AdamW } from '../../core/engine/optim/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { tokenizeChat } from '../../core/data/tokenize/tokenize-chat.js';
import { collate } from '../../core/train/collate.js';
import { loraConfig } from '../../core/model/lora/index.js';
import { SftModel } from '../../core/train/sft-model.js';
import type { SftObjective } from '../../core/train/objective.js';
import { lmObjective } from '../../plugins/objectives/lm.js';
import { safetyKlObjective } from '../../plugins/objectives/safety-kl.js';

const env = { baseDir: '.', warn: (m: string) => assert.fail(m) };

test('safety KL is exactly 0 while the adapter is the identity (B = 0) and positive after training', async () => {
  const folder = await openModelFolder('attune-tiny-qwen2');
  const objectives = [
    (await lmObjective.create(lmObjective.options.parse({}), env)) as SftObjective,
    (await safetyKlObjective.create(safetyKlObjective.options.parse({ weight: 0.1 }), env)) as SftObjective,
  ];
  const model = new SftModel(folder, loraConfig({ r: 4, alpha: 8, dropout: 0 }), objectives, 3);
  after(() => model.release());
  const tokenized = tokenizeChat(folder.tokenizer, [
    { role: 'user', content: 'I failed my exam and I feel awful.' },
    { role: 'assistant', content: 'That sounds really hard. What happened?' },
  ], { maxLength: 64 });
  assert.equal(tokenized.status, 'ok');
  if (tokenized.status !== 'ok') return;
  const item = { id: 'x', inputIds: tokenized.inputIds, labels: tokenized.labels, lastPromptIndex: tokenized.lastPromptIndex, classes: {} };
  const batch = collate([item, item], { batch: 2, seq: 64, padId: 0 }, folder.config, []);
  assert.ok(model.lora.parameters.some((p) => p.name.endsWith('lora_A.weight') && p.data.some((v) => v !== 0)), 'A starts random');
  assert.ok(model.lora.parameters.filter((p) => p.name.endsWith('lora_B.weight')).every((p) => p.data.every((v) => v === 0)), 'B starts at 0');

  const before = await model.trainStep(batch, {});
  assert.equal(before.losses.safety_kl, 0);
  assert.ok(Object.values(before.gradients).every((g) => g.every(Number.isFinite)));

  const optimizer = new AdamW(model.parameters, { weightDecay: 0 });
  let kl = 0;
  for (let i = 0; i < 5; i++) {
    const r = await model.trainStep(batch, {});
    kl = r.losses.safety_kl as number;
    optimizer.step(r.gradients, 1e-2);
  }
  assert.ok(kl > 1e-6, `KL after training is ${kl}`);
  assert.ok((before.losses.lm as number) > 0);
});
