/**
 * What a trainer asks the decoder for besides logits: final hidden states, the causal-LM loss on
 * HF-style (unshifted) labels, per-token log-probs aligned with the labels, the adapter-off
 * reference forward; and the errors for bad folders and batches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { DecoderTrace, buildDecoderProgram, padBatch, readFullParameters } from '../../core/model/decoder/index.js';
import { initLora, loraConfig } from '../../core/model/lora/index.js';
import { referenceForward, logSoftmaxRow } from './reference/reference-decoder.js';
import { openDecoderModel, readReferenceTensors, tinyLlamaConfig, writeRandomFolder } from './reference/random-folder.js';
import { batchRows, deviation, runOnce } from './reference/compare.js';

const IDS = [
  [5, 17, 300, 9, 44, 1000],
  [7, 8, 9, 10],
];
/** Loss on the last tokens only, as on an assistant reply. */
const LABELS = [
  [-100, -100, -100, 9, 44, 1000],
  [-100, 8, 9, 10],
];

describe('decoder outputs', () => {
  test('hidden states, LM loss and label log-probs equal the float64 reference', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const tensors = await readReferenceTensors(folder);
    const { vocabSize: V, hiddenSize: H } = folder.config;
    const { program } = buildDecoderProgram(folder, { outputs: ['hidden', 'lmLoss', 'tokenLogProbs'] });
    for (const side of ['left', 'right'] as const) {
      const batch = padBatch(IDS.map((ids, r) => ({ ids, labels: LABELS[r] as number[] })), folder.config, { padId: 0, side });
      const { ids, mask } = batchRows(batch);
      const ref = referenceForward(folder.config, tensors, ids, mask);
      const out = await runOnce(program, batch.feeds, batch.dims);

      const dh = deviation(out['hidden']?.data as Float32Array, ref.hidden, mask, H);
      assert.ok(dh.maxError < 2e-5 * Math.max(1, dh.maxMagnitude), `${side}: hidden error ${dh.maxError}`);

      // Reference: token t (with a label) is predicted from position t − 1.
      let nll = 0;
      let count = 0;
      const lp = out['token_logprobs']?.data as Float32Array;
      assert.deepEqual(out['token_logprobs']?.dims, [2, batch.seq]);
      IDS.forEach((row, r) => {
        const start = batch.starts[r] as number;
        (LABELS[r] as number[]).forEach((label, t) => {
          const at = r * batch.seq + start + t;
          if (label === -100 || t === 0) {
            assert.ok(lp[at] === 0, `row ${r} token ${t} has no label, so its log-prob slot is 0, got ${lp[at]}`);
            return;
          }
          const expected = logSoftmaxRow(ref.logits[r] as Float64Array, (start + t - 1) * V, V)[label] as number;
          assert.ok(Math.abs((lp[at] as number) - expected) < 1e-5, `${side} row ${r} token ${t}: log-prob ${lp[at]} vs reference ${expected}`);
          nll -= expected;
          count++;
        });
      });
      assert.equal(count, 6);
      assert.equal(out['lm_token_count']?.data[0], count);
      const lossSum = out['lm_loss_sum']?.data[0] as number;
      assert.ok(Math.abs(lossSum - nll) < 1e-4, `${side}: loss sum ${lossSum} vs reference ${nll}`);
      // Padding positions never carry log-probs.
      mask.forEach((row, r) => row.forEach((m, i) => m === 0 && assert.ok(lp[r * batch.seq + i] === 0)));
    }
  });

  test('the reference forward is the base model while the LoRA policy moves away from it', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const config = loraConfig({ r: 4, alpha: 8 });
    const state = initLora(config, folder.config, 3);
    for (const p of state.parameters) if (p.name.includes('lora_B')) p.data.forEach((_, i) => (p.data[i] = 0.05 * Math.sin(i + p.data.length)));
    const { program } = buildDecoderProgram(folder, { outputs: ['hidden', 'referenceHidden', 'tokenLogProbs', 'referenceTokenLogProbs'], trainable: { kind: 'lora', lora: config } });
    const base = buildDecoderProgram(folder, { outputs: ['hidden', 'tokenLogProbs'] }).program;
    const batch = padBatch(IDS.map((ids, r) => ({ ids, labels: LABELS[r] as number[] })), folder.config, { padId: 0, side: 'left' });
    const params = Object.fromEntries(state.parameters.map((p) => [p.name, p.data]));
    const out = await runOnce(program, { ...batch.feeds, ...params }, batch.dims);
    const plain = await runOnce(base, batch.feeds, batch.dims);
    assert.deepEqual(out['reference_hidden']?.data, plain['hidden']?.data);
    assert.deepEqual(out['reference_token_logprobs']?.data, plain['token_logprobs']?.data);
    const policy = out['hidden']?.data as Float32Array;
    const reference = out['reference_hidden']?.data as Float32Array;
    let moved = 0;
    policy.forEach((v, i) => (moved = Math.max(moved, Math.abs(v - (reference[i] as number)))));
    assert.ok(moved > 1e-3, `a non-zero B must change the policy's hidden states (moved ${moved})`);
  });

  test('under full fine-tuning the reference forward keeps the weights as loaded', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const params = await readFullParameters(folder);
    const norm = params.find((p) => p.name === 'model.norm.weight');
    assert.ok(norm);
    norm.data.forEach((v, i) => (norm.data[i] = v * 1.5));
    const { program } = buildDecoderProgram(folder, { outputs: ['hidden', 'referenceHidden'], trainable: { kind: 'full' } });
    const batch = padBatch(IDS.map((ids) => ({ ids })), folder.config, { padId: 0, side: 'right' });
    const out = await runOnce(program, { ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) }, batch.dims);
    const plain = await runOnce(buildDecoderProgram(folder, { outputs: ['hidden'] }).program, batch.feeds, batch.dims);
    assert.deepEqual(out['reference_hidden']?.data, plain['hidden']?.data);
    const policy = out['hidden']?.data as Float32Array;
    const base = plain['hidden']?.data as Float32Array;
    policy.forEach((v, i) => assert.ok(Math.abs(v - 1.5 * (base[i] as number)) < 1e-4 * Math.max(1, Math.abs(v)), 'the policy uses the fed (scaled) final norm'));
  });

  test('a trainer adds its own loss to the traced graph and differentiates the LoRA parameters', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const trace = DecoderTrace.trace(folder, { trainable: { kind: 'lora', lora: loraConfig({ r: 2, targetModules: ['q', 'v'] }) } });
    assert.deepEqual(
      trace.parameters.map((p) => p.name).slice(0, 2),
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'],
    );
    assert.equal(trace.parameters.length, 2 * 2 * 2);
    assert.deepEqual(trace.lmHeadWeight().shape, [folder.config.vocabSize, folder.config.hiddenSize]);
    // Logits and the reference forward are traced only when asked.
    const before = trace.graph.nodes.length;
    trace.hidden();
    const afterHidden = trace.graph.nodes.length;
    trace.hidden();
    assert.equal(trace.graph.nodes.length, afterHidden, 'asking twice traces once');
    trace.referenceHidden();
    assert.ok(trace.graph.nodes.length > afterHidden && afterHidden > before);
  });
});

describe('decoder input errors', () => {
  test('a folder missing a tensor fails naming the tensor and its expected shape', async () => {
    const dir = await writeRandomFolder(tinyLlamaConfig(), { edit: (t) => delete t['model.layers.1.mlp.up_proj.weight'] });
    await assert.rejects(openDecoderModel(dir), /missing tensor "model\.layers\.1\.mlp\.up_proj\.weight" \(expected shape \[24, 16\]\)/);
  });

  test('padBatch names the row and token of an out-of-vocabulary id, and refuses sequences past a sliding window', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    assert.throws(() => padBatch([{ ids: [1, 2] }, { ids: [4, 99999] }], folder.config, { padId: 0 }), /row 1, token 1: id 99999 is outside the vocabulary \[0, 3072\)/);
    assert.throws(() => padBatch([{ ids: [1, 2], labels: [1] }], folder.config, { padId: 0 }), /row 0 has 2 ids but 1 labels/);
    const windowed = await openDecoderModel(await writeRandomFolder({ ...tinyLlamaConfig(), model_type: 'mistral', architectures: ['MistralForCausalLM'], sliding_window: 4 }, { tokenizer: false }));
    assert.throws(() => padBatch([{ ids: [1, 2, 3, 4, 5] }], windowed.config, { padId: 0 }), /exceed the model's sliding_window \(4\)/);
    assert.equal(padBatch([{ ids: [1, 2, 3, 4] }], windowed.config, { padId: 0 }).seq, 4);
  });

  test('gradientsOf without trainable parameters is refused', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    assert.throws(() => buildDecoderProgram(folder, { outputs: ['lmLoss'], gradientsOf: 'lmLossMean' }), /needs trainable parameters/);
  });
});
