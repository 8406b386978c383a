/**
 * Reward models on the engine against an independent float64 reference: the score of each row
 * (decoder + LoRA, the last non-pad token, score head) equals the reference decoder's hidden
 * state times the head; each loss's sum equals the hand-computed value from those scores; the
 * step normalization makes two micro-batches give the gradients of one; and the exported
 * `…ForSequenceClassification` folder scores exactly as the trained model does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Xoshiro128 } from '../../core/base/rng.js';
import { Graph, ops } from '../../core/engine/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import type { ModelFolder } from '../../core/model/folder/open-model-folder.js';
import { classifierConfigJson, parseClassifierConfig, SequenceClassifier, writeSequenceClassifier } from '../../core/model/classifier/index.js';
import type { ClassifierConfig, ClassifierHead } from '../../core/model/classifier/index.js';
import { loraConfig, modulePath } from '../../core/model/lora/index.js';
import { SafetensorsFile } from '../../core/model/safetensors/reader.js';
import { encodePair, encodePoint, pairBatch, pointBatch, RewardModel } from '../../core/train/reward-model/index.js';
import type { EncodedPoint, RewardEncoder, RewardLoss } from '../../core/train/reward-model/index.js';
import type { PointRow } from '../../core/data/reward-rows/index.js';
import { referenceForward } from '../model/reference/reference-decoder.js';
import { readReferenceTensors, tinyLlamaConfig, writeRandomFolder } from '../model/reference/random-folder.js';
import { runOnce } from '../model/reference/compare.js';

const ROWS: PointRow[] = [
  { id: 'a', input: { text: 'I feel so alone lately.', pair: 'That sounds hard.' }, target: 4 },
  { id: 'b', input: { text: 'My friend moved away' }, target: 1.5 },
  { id: 'c', input: { text: 'Nobody listens to me at work, and I am tired of it.', pair: 'You are not alone.' }, target: 0 },
  { id: 'd', input: { text: 'sad' }, target: 2 },
];
const SHAPE = { bucket: 8, maxLength: 64 };
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

let dir: string;
let folder: ModelFolder;
const lora = loraConfig({ r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, 'lora');

before(async () => {
  dir = await writeRandomFolder(tinyLlamaConfig({ vocab_size: 3072 }), { seed: 5 });
  folder = await openModelFolder(dir);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A model whose LoRA B factors and head are random (PEFT's zero B would hide the adapter). */
function randomized(loss: RewardLoss, numLabels: number, seed = 3): RewardModel {
  const model = new RewardModel(folder, lora, { numLabels, loss, seed });
  const rng = Xoshiro128.fromSeed(seed);
  for (const p of model.parameters) for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.nextFloat() * 2 - 1) * (p.name.startsWith('score') ? 0.5 : 0.3);
  return model;
}

async function setup(numLabels: number): Promise<{ encoder: RewardEncoder; config: ClassifierConfig; head: ClassifierHead }> {
  const head: ClassifierHead = { labels: numLabels === 1 ? ['reward'] : Array.from({ length: numLabels }, (_, i) => `c${i}`), padTokenId: folder.tokenizer.pad?.id ?? 0 };
  const config = parseClassifierConfig(await classifierConfigJson(folder, head), 'config.json');
  return { encoder: { config, tokenizer: folder.tokenizer, maxLength: 64 }, config, head };
}

/** Reference scores [rows × labels] in float64: last real token's hidden state · scoreᵀ. */
async function referenceScores(model: RewardModel, encoded: readonly EncodedPoint[]): Promise<number[][]> {
  const tensors = await readReferenceTensors(folder);
  const pairs = new Map(model.lora.pairs().map((p) => [`${modulePath(p.layer, p.module)}.weight`, { a: Float64Array.from(p.a.data), b: Float64Array.from(p.b.data), r: lora.r }]));
  const H = folder.config.hiddenSize;
  const n = model.options.numLabels;
  return encoded.map((row) => {
    const out = referenceForward(folder.config, tensors, [row.input.ids], [row.input.ids.map(() => 1)], { scale: model.lora.scale, pairs });
    const last = row.input.ids.length - 1;
    const h = out.hidden[0]!.subarray(last * H, (last + 1) * H);
    return Array.from({ length: n }, (_, k) => h.reduce((s, v, j) => s + v * (model.score.data[k * H + j] as number), 0));
  });
}

describe('reward model on the engine', () => {
  test('scores equal the float64 reference (pairs, singles, padded rows, a weight-0 filler row)', async () => {
    const { encoder, config } = await setup(3);
    const model = randomized('ce', 3);
    try {
      const encoded = ROWS.slice(0, 3).map((r) => encodePoint(encoder, { ...r, target: 1 }));
      const logits = await model.logits(pointBatch(config, encoded, 4, 'ce', SHAPE));
      const reference = await referenceScores(model, encoded);
      reference.forEach((row, b) => row.forEach((v, k) => assert.ok(Math.abs((logits[b * 3 + k] as number) - v) < 1e-5, `row ${b} label ${k}: ${logits[b * 3 + k]} vs ${v}`)));
    } finally {
      await model.release();
    }
  });

  for (const loss of ['mse', 'bce', 'ce'] as const) {
    test(`the ${loss} sum equals the hand-computed loss of the reference scores`, async () => {
      const numLabels = loss === 'ce' ? 3 : 1;
      const { encoder, config } = await setup(numLabels);
      const model = randomized(loss, numLabels);
      try {
        const rows = ROWS.map((r, i) => ({ ...r, target: loss === 'ce' ? i % 3 : loss === 'bce' ? [1, 0, 0.25, 1][i]! : r.target }));
        const encoded = rows.map((r) => encodePoint(encoder, r));
        const reference = await referenceScores(model, encoded);
        const expected = reference.reduce((s, row, i) => {
          const y = rows[i]!.target;
          if (loss === 'mse') return s + (row[0]! - y) ** 2;
          if (loss === 'bce') return s + softplus(row[0]!) - row[0]! * y;
          const max = Math.max(...row);
          return s + max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) - row[y]!;
        }, 0);
        const result = await model.trainStep(pointBatch(config, encoded, 4, loss, SHAPE), {}, 1 / 4);
        assert.ok(Math.abs(result.sum - expected) < 1e-4 * Math.max(1, Math.abs(expected)), `sum ${result.sum} vs ${expected}`);
        assert.ok(Math.abs(result.loss - expected / 4) < 1e-4 * Math.max(1, Math.abs(expected)), 'loss = sum · norm');
      } finally {
        await model.release();
      }
    });
  }

  test('Bradley–Terry: −log σ(chosen − rejected) plus the centering term, per pair', async () => {
    const { encoder, config } = await setup(1);
    const model = new RewardModel(folder, lora, { numLabels: 1, loss: 'bradley-terry', centerCoefficient: 0.1, seed: 3 });
    const rng = Xoshiro128.fromSeed(9);
    for (const p of model.parameters) for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.nextFloat() * 2 - 1) * (p.name.startsWith('score') ? 0.5 : 0.3);
    try {
      const pairs = [
        encodePair(encoder, { id: 'p', chosen: ROWS[0]!.input, rejected: ROWS[1]!.input }),
        encodePair(encoder, { id: 'q', chosen: ROWS[2]!.input, rejected: ROWS[3]!.input }),
      ];
      const scores = (await referenceScores(model, ROWS.map((r) => encodePoint(encoder, r)))).map((r) => r[0]!);
      const expected = softplus(scores[1]! - scores[0]!) + 0.1 * (scores[0]! + scores[1]!) ** 2 + softplus(scores[3]! - scores[2]!) + 0.1 * (scores[2]! + scores[3]!) ** 2;
      // Three pair slots, one of them weight-0 filler between the chosen and the rejected block.
      const result = await model.trainStep(pairBatch(config, pairs, 3, SHAPE), {}, 1);
      assert.ok(Math.abs(result.sum - expected) < 1e-4 * Math.max(1, expected), `sum ${result.sum} vs ${expected}`);
      const logits = await model.logits(pairBatch(config, pairs, 3, SHAPE));
      assert.ok(Math.abs((logits[0] as number) - scores[0]!) < 1e-5 && Math.abs((logits[4] as number) - scores[3]!) < 1e-5, 'chosen rows first, rejected rows from the pair count on');
    } finally {
      await model.release();
    }
  });

  test('two micro-batches normalized by the step give the gradients of one batch of four', async () => {
    const { encoder, config } = await setup(1);
    const model = randomized('mse', 1);
    try {
      const encoded = ROWS.map((r) => encodePoint(encoder, r));
      const whole = await model.trainStep(pointBatch(config, encoded, 4, 'mse', SHAPE), {}, 1 / 4);
      const first = await model.trainStep(pointBatch(config, encoded.slice(0, 2), 2, 'mse', SHAPE), {}, 1 / 4);
      const second = await model.trainStep(pointBatch(config, encoded.slice(2), 2, 'mse', SHAPE), {}, 1 / 4);
      for (const p of model.parameters) {
        const w = whole.gradients[p.name]!;
        const a = first.gradients[p.name]!;
        const b = second.gradients[p.name]!;
        const scale = Math.max(...Array.from(w, Math.abs), 1e-6);
        for (let i = 0; i < w.length; i++) assert.ok(Math.abs((a[i] as number) + (b[i] as number) - (w[i] as number)) < 1e-4 * scale, `${p.name}[${i}]`);
      }
      assert.ok(model.parameters.some((p) => p.name.includes('lora_A')) && whole.gradients['score.weight']!.some((g) => g !== 0), 'LoRA factors and the head get gradients');
    } finally {
      await model.release();
    }
  });

  test('the exported …ForSequenceClassification folder scores as the trained model does', async () => {
    const { encoder, config, head } = await setup(3);
    const model = randomized('ce', 3);
    const out = await mkdtemp(join(tmpdir(), 'attune-rm-export-'));
    try {
      await writeSequenceClassifier(join(out, 'classifier'), { folder, lora: model.lora, score: model.score.data, head: { ...head, problemType: 'single_label_classification' } });
      const saved = JSON.parse(await readFile(join(out, 'classifier', 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(saved.architectures, ['LlamaForSequenceClassification']);
      assert.deepEqual(saved.id2label, { 0: 'c0', 1: 'c1', 2: 'c2' });
      assert.equal(saved.num_labels, 3);
      assert.equal(saved.pad_token_id, head.padTokenId);
      const names = (await SafetensorsFile.open(join(out, 'classifier', 'model.safetensors'))).names();
      assert.ok(names.includes('score.weight') && !names.includes('lm_head.weight') && !names.some((n) => n.includes('lora')), 'merged weights with score, no lm_head, no LoRA factors');
      const encoded = ROWS.map((r) => encodePoint(encoder, { ...r, target: 0 }));
      const trained = await model.logits(pointBatch(config, encoded, 4, 'ce', SHAPE));
      const classifier = await SequenceClassifier.open(join(out, 'classifier'));
      try {
        assert.equal(classifier.problemType, 'single_label_classification');
        const results = await classifier.classify(ROWS.map((r) => r.input));
        results.forEach((r, b) => r.logits.forEach((v, k) => assert.ok(Math.abs(v - (trained[b * 3 + k] as number)) < 1e-5, `row ${b} label ${k}: exported ${v}, trained ${trained[b * 3 + k]}`)));
      } finally {
        await classifier.release();
      }
    } finally {
      await model.release();
      await rm(out, { recursive: true, force: true });
    }
  });

  test('softplus is exact at the extremes (no overflow to Infinity, no log(0))', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [5]);
    const out = await runOnce(g.compile({ outputs: { y: ops.softplus(x) } }), { x: Float32Array.from([-100, -1, 0, 1, 100]) }, {});
    const y = Array.from(out.y!.data as Float32Array);
    const expected = [-100, -1, 0, 1, 100].map(softplus);
    y.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-6 * Math.max(1, Math.abs(expected[i]!)), `softplus(${[-100, -1, 0, 1, 100][i]}) = ${v}, expected ${expected[i]}`));
  });
});
