/**
 * evaluators/classification: accuracy and macro-F1 against scikit-learn's documented example, and
 * the evaluator on an adapter with emotion and strategy heads (random weights) over the shipped
 * GoEmotions and ESConv slices — metrics consistent with its own rows, the Ekman and sentiment
 * groupings, a confusion matrix, and rescoring.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import { builtinPlugins } from '../../plugins/index.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { initLora, loraConfig, saveLoraAdapter } from '../../core/model/lora/index.js';
import { InferenceModel, ModelTextGenerator } from '../../core/model/generation/index.js';
import { esconvStrategies, goEmotionsLabels, goEmotionToEkman } from '../../core/data/index.js';
import { classScores } from '../../plugins/evaluators/classification/scores.js';
import { writeFigure } from '../../core/report/loss-curves.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-classify-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('classification scores', () => {
  test("macro-F1 equals scikit-learn's documented example; accuracy and the confusion counts", () => {
    // sklearn.metrics.f1_score(y_true=[0, 1, 2, 0, 1, 2], y_pred=[0, 2, 1, 0, 0, 1], average='macro') = 0.26666…
    const s = classScores(['0', '1', '2', '0', '1', '2'], ['0', '2', '1', '0', '0', '1']);
    assert.ok(Math.abs(s.macroF1 - 0.26666666666666666) < 1e-15);
    assert.equal(s.accuracy, 2 / 6);
    assert.deepEqual(s.confusion, [[2, 0, 0], [1, 0, 1], [0, 2, 0]]);
    // A label only predicted still counts (F1 0), as in scikit-learn.
    assert.equal(classScores(['a', 'a'], ['a', 'b']).macroF1, (2 / 3 + 0) / 2);
  });
});

describe('evaluators/classification', () => {
  test('reads the emotion and strategy heads over the shipped slices; metrics agree with the rows; rescoring gives the same', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const H = folder.config.hiddenSize;
    const state = initLora(loraConfig({ r: 2, alpha: 4, targetModules: ['q', 'v'] }), folder.config, 1);
    const rng = Xoshiro128.fromSeed(3);
    const random = (n: number) => Float32Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 2);
    const adapter = join(dir, 'adapter');
    await saveLoraAdapter(adapter, state, {
      baseModel: 'attune-tiny-qwen2',
      extraTensors: [
        { name: 'heads.emotion.weight', shape: [28, H], data: random(28 * H) },
        { name: 'heads.emotion.bias', shape: [28], data: random(28) },
        { name: 'heads.strategy.weight', shape: [8, H], data: random(8 * H) },
        { name: 'heads.strategy.bias', shape: [8], data: random(8) },
      ],
    });
    writeFileSync(
      join(dir, 'heads.json'),
      JSON.stringify({ heads: [{ label: 'emotion', classes: goEmotionsLabels, weight: 'heads.emotion.weight' }, { label: 'strategy', classes: esconvStrategies, weight: 'heads.strategy.weight' }] }),
    );
    const kernel = await new Kernel().load({ builtins: builtinPlugins });
    const evaluator = await kernel.create({ kind: 'evaluators', use: 'evaluators/classification', options: { emotion: { limit: 40 }, strategy: { limit: 30 } } }, { baseDir: '.', warn: () => {} });
    const model = await InferenceModel.open(folder, { adapter });
    try {
      const report = await evaluator.evaluate({ label: 'heads', generator: new ModelTextGenerator(model), policy: { respond: async () => [] } });
      const rows = report.items!;
      const emotion = rows.filter((r) => r.meta.head === 'emotion');
      const strategy = rows.filter((r) => r.meta.head === 'strategy');
      assert.equal(emotion.length, 40);
      assert.ok(strategy.length > 0 && strategy.length <= 30);
      assert.equal(report.metrics['classification.emotion.accuracy'], emotion.filter((r) => r.response === r.meta.gold).length / 40);
      assert.equal(report.metrics['classification.emotion.macro_f1'], classScores(emotion.map((r) => String(r.meta.gold)), emotion.map((r) => r.response)).macroF1);
      assert.equal(report.metrics['classification.emotion.ekman.accuracy'], emotion.filter((r) => goEmotionToEkman(r.response) === goEmotionToEkman(String(r.meta.gold))).length / 40);
      assert.ok(Number.isFinite(report.metrics['classification.emotion.sentiment.macro_f1']));
      assert.ok(strategy.every((r) => (esconvStrategies as readonly string[]).includes(r.response)));
      assert.deepEqual(report.figures!.map((f) => f.name), ['emotion-confusion', 'strategy-confusion']);
      const [svg, png] = await writeFigure(join(dir, 'confusion'), report.figures![1]!.spec as unknown as Parameters<typeof writeFigure>[1]);
      assert.match(readFileSync(svg!, 'utf8'), /strategy head \(accuracy/);
      assert.deepEqual([...readFileSync(png!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
      assert.deepEqual((await evaluator.rescore!(rows)).metrics, report.metrics);
      await assert.rejects(evaluator.rescore!([{ ...rows[0]!, meta: {} }]), /row 1 .* needs meta\.head/);
    } finally {
      await model.release();
    }
  });
});
