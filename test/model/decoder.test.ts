/**
 * The engine decoder against an independent float64 reference (test/model/reference): logits of
 * the embedded Qwen2 model (q/k/v biases, tied embeddings, GQA) and of random tiny Llama folders
 * (untied, o/MLP biases, rope scaling, half-precision storage), under left and right padding.
 *
 * Tolerances: a float64 graph must agree to 1e-10 (only summation order differs). A float32
 * graph carries fp32 rounding (ε = 1.2e-7) through dot products of up to K = 176 terms in two
 * layers; a worst-case bound of order K·ε ≈ 2e-5 relative to the largest logit is the limit
 * (observed: ~2e-7 on the embedded model).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { parseDecoderConfig } from '../../core/model/folder/config.js';
import { buildDecoderProgram, padBatch } from '../../core/model/decoder/index.js';
import type { DecoderModel } from '../../core/model/decoder/index.js';
import { referenceForward } from './reference/reference-decoder.js';
import { openDecoderModel, readReferenceTensors, tinyLlamaConfig, writeRandomFolder } from './reference/random-folder.js';
import { batchRows, deviation, runOnce } from './reference/compare.js';

const FP32_RELATIVE = 2e-5;
const FP64_ABSOLUTE = 1e-10;

const ROWS = [
  [5, 17, 300, 9, 44, 1000, 2047],
  [7, 8, 9],
  [3000, 12],
];

async function checkAgainstReference(model: DecoderModel, label: string): Promise<void> {
  const tensors = await readReferenceTensors(model);
  const V = model.config.vocabSize;
  for (const dtype of ['float32', 'float64'] as const) {
    const { program } = buildDecoderProgram(model, { outputs: ['logits'], dtype });
    for (const side of ['left', 'right'] as const) {
      const batch = padBatch(ROWS.map((ids) => ({ ids })), model.config, { padId: 0, side });
      const { ids, mask } = batchRows(batch);
      const ref = referenceForward(model.config, tensors, ids, mask);
      const out = await runOnce(program, batch.feeds, batch.dims, dtype === 'float64');
      const d = deviation(out['logits']?.data as Float32Array, ref.logits, mask, V);
      assert.equal(d.compared, 12 * V);
      const limit = dtype === 'float64' ? FP64_ABSOLUTE : FP32_RELATIVE * Math.max(1, d.maxMagnitude);
      assert.ok(d.maxError <= limit, `${label} ${dtype} ${side} padding: max |logit error| ${d.maxError.toExponential(2)} > ${limit.toExponential(2)} (max |logit| ${d.maxMagnitude.toFixed(3)})`);
    }
  }
}

describe('decoder logits equal the float64 reference', () => {
  test('embedded Qwen2 (q/k/v biases, tied embeddings, 4 heads over 2 kv heads)', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    assert.equal(folder.config.qkvBias, true);
    assert.equal(folder.config.tieWordEmbeddings, true);
    await checkAgainstReference(folder, 'attune-tiny-qwen2');
  });

  test('random Llama (untied lm_head, GQA, no biases)', async () => {
    await checkAgainstReference(await openDecoderModel(await writeRandomFolder(tinyLlamaConfig(), { seed: 7 })), 'llama');
  });

  test('random Llama with attention and MLP biases, tied embeddings, rope_theta 500000', async () => {
    const raw = tinyLlamaConfig({ attention_bias: true, mlp_bias: true, tie_word_embeddings: true, rope_theta: 500000, rms_norm_eps: 1e-6 });
    const model = await openDecoderModel(await writeRandomFolder(raw, { seed: 8 }));
    assert.equal(model.config.oProjBias && model.config.mlpBias, true);
    await checkAgainstReference(model, 'llama+bias');
  });

  test('rope scaling: llama3 and linear', async () => {
    const llama3 = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 };
    await checkAgainstReference(await openDecoderModel(await writeRandomFolder(tinyLlamaConfig({ rope_scaling: llama3, rope_theta: 100 }), { seed: 9 })), 'llama3 rope');
    await checkAgainstReference(await openDecoderModel(await writeRandomFolder(tinyLlamaConfig({ rope_scaling: { type: 'linear', factor: 4 } }), { seed: 10 })), 'linear rope');
  });

  test('float16 and bfloat16 weights are widened in the graph', async () => {
    for (const dtype of ['F16', 'BF16'] as const) {
      const model = await openDecoderModel(await writeRandomFolder(tinyLlamaConfig({ torch_dtype: dtype === 'F16' ? 'float16' : 'bfloat16' }), { seed: 11, dtype }));
      assert.equal(model.weights.locate('model.norm.weight').dtype, dtype);
      await checkAgainstReference(model, dtype);
    }
  });

  test('rope scaling kinds the engine does not implement are refused naming the kind', () => {
    assert.throws(() => parseDecoderConfig(tinyLlamaConfig({ rope_scaling: { rope_type: 'yarn', factor: 4 } }), 'config.json'), /config\.json: rope_scaling type "yarn" is not supported; supported: default, linear, llama3/);
  });
});

describe('padding', () => {
  test('left padding does not change the logits of real tokens', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const V = folder.config.vocabSize;
    const { program } = buildDecoderProgram(folder, { outputs: ['logits'] });
    const alone = padBatch([{ ids: [7, 8, 9] }], folder.config, { padId: 0 });
    const aloneLogits = (await runOnce(program, alone.feeds, alone.dims))['logits']?.data as Float32Array;
    const padded = padBatch([{ ids: ROWS[0] as number[] }, { ids: [7, 8, 9] }], folder.config, { padId: 0, side: 'left' });
    const paddedLogits = (await runOnce(program, padded.feeds, padded.dims))['logits']?.data as Float32Array;
    const start = padded.starts[1] as number;
    assert.equal(start, 4);
    let maxError = 0;
    for (let t = 0; t < 3; t++) {
      for (let v = 0; v < V; v++) {
        const a = aloneLogits[t * V + v] as number;
        const b = paddedLogits[(padded.seq + start + t) * V + v] as number;
        maxError = Math.max(maxError, Math.abs(a - b));
      }
    }
    // Same math in a different batch shape: only fp32 summation order may differ.
    assert.ok(maxError < 1e-5, `left padding moved real-token logits by ${maxError}`);
  });

  test('fed position ids equal to the mask-derived ones give the same logits', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const batch = padBatch(ROWS.map((ids) => ({ ids })), folder.config, { padId: 0, side: 'left' });
    const { mask } = batchRows(batch);
    const positions = new BigInt64Array(batch.batch * batch.seq);
    mask.forEach((row, b) => {
      let seen = 0;
      row.forEach((m, i) => (positions[b * batch.seq + i] = m ? BigInt(seen++) : 1n));
    });
    const fromMask = (await runOnce(buildDecoderProgram(folder, { outputs: ['logits'] }).program, batch.feeds, batch.dims))['logits']?.data as Float32Array;
    const fed = (await runOnce(buildDecoderProgram(folder, { outputs: ['logits'], positions: 'input' }).program, { ...batch.feeds, position_ids: positions }, batch.dims))['logits']?.data as Float32Array;
    assert.deepEqual(fed, fromMask);
    // RoPE sees only relative positions, so stretch them (0, 2, 4, ...) to prove the fed ids are used.
    const stretched = positions.map((p) => 2n * p);
    const shifted = (await runOnce(buildDecoderProgram(folder, { outputs: ['logits'], positions: 'input' }).program, { ...batch.feeds, position_ids: stretched }, batch.dims))['logits']?.data as Float32Array;
    const V = folder.config.vocabSize;
    const lastOfRow1 = (batch.seq + batch.seq - 1) * V;
    assert.ok(Math.abs((shifted[lastOfRow1] as number) - (fromMask[lastOfRow1] as number)) > 1e-4);
  });
});
