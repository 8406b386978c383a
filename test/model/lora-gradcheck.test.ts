/**
 * Gradients of LoRA factors through the whole decoder (embedding, RMSNorms, RoPE, grouped-query
 * attention under left padding, SwiGLU MLP, lm_head cross-entropy, LoRA dropout masks) against
 * float64 central differences, on a tiny random Llama with non-zero B (with B = 0, dA vanishes
 * and would hide bugs). The whole graph runs in float64, so the check is tight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, ops } from '../../core/engine/index.js';
import { DecoderTrace, loraDropoutFeeds, padBatch, readFullParameters } from '../../core/model/decoder/index.js';
import { initLora, loraConfig } from '../../core/model/lora/index.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { openDecoderModel, tinyLlamaConfig, writeRandomFolder } from './reference/random-folder.js';

const TINY = tinyLlamaConfig({ hidden_size: 8, intermediate_size: 12, vocab_size: 48, attention_bias: true });
const ROWS = [
  { ids: [3, 17, 40, 9, 21], labels: [-100, 17, 40, 9, 21] },
  { ids: [7, 8, 2], labels: [-100, -100, 2] },
];

for (const checkpointLayers of [false, true]) {
  test(`LoRA gradients through the whole decoder match float64 finite differences${checkpointLayers ? ' (layers recomputed in the backward)' : ''}`, async () => {
    const model = await openDecoderModel(await writeRandomFolder(TINY, { seed: 21, tokenizer: false }));
    const config = loraConfig({ r: 2, alpha: 4, dropout: 0.25 });
    const state = initLora(config, model.config, 4);
    const rng = Xoshiro128.fromSeed(5);
    for (const p of state.parameters) if (p.name.endsWith('lora_B.weight')) for (let i = 0; i < p.data.length; i++) p.data[i] = rng.nextFloat() - 0.5;
    const batch = padBatch(ROWS, model.config, { padId: 0, side: 'left' });
    const options = { dtype: 'float64', trainable: { kind: 'lora', lora: config }, checkpointLayers } as const;
    // The mask inputs' names and widths, from a trace of the same options.
    const dropoutFeeds = loraDropoutFeeds(DecoderTrace.trace(model, options).dropoutInputs, batch.dims, rng, 'float64');
    const result = await gradcheck(
      (g) => {
        const trace = DecoderTrace.trace(model, options, g);
        const { lossSum, count } = trace.lmLoss();
        // A second objective through the label log-probs and the hidden states (a head-like term).
        const extra = ops.mul(ops.sum(trace.tokenLogProbs()), 0.3);
        // Only real positions: a padded query attends no key, so its row is (finite) noise that
        // finite differences cannot resolve (scores sit at −1e9, where float64 keeps ~1e-7).
        const real = ops.unsqueeze(ops.cast(trace.attentionMask, 'float64'), -1);
        const headLike = ops.mean(ops.mul(ops.mul(trace.hidden(), trace.hidden()), real));
        return { loss: ops.add(ops.add(ops.div(lossSum, count), extra), headLike), params: trace.parameters };
      },
      { ...batch.feeds, ...dropoutFeeds, ...Object.fromEntries(state.parameters.map((p) => [p.name, Float64Array.from(p.data)])) },
      { dims: batch.dims, atol: 1e-7, rtol: 1e-5 },
    );
    assert.equal(Object.keys(dropoutFeeds).length, 2 * 7);
    assert.ok(result.ok, result.message);
    assert.ok(result.maxAbsError < 1e-7, result.message);
  });
}

for (const checkpointLayers of [false, true]) {
  test(`full fine-tuning gradients of norms, biases and an embedding match float64 finite differences${checkpointLayers ? ' (layers recomputed in the backward)' : ''}`, async () => {
    const model = await openDecoderModel(await writeRandomFolder(TINY, { seed: 22, tokenizer: false }));
    const values = new Map((await readFullParameters(model)).map((p) => [p.name, Float64Array.from(p.data)]));
    const checked = ['model.norm.weight', 'model.layers.1.input_layernorm.weight', 'model.layers.0.self_attn.k_proj.bias', 'model.layers.1.mlp.down_proj.weight'];
    const batch = padBatch(ROWS, model.config, { padId: 0, side: 'right' });
    const result = await gradcheck(
      (g) => {
        const trace = DecoderTrace.trace(model, { dtype: 'float64', trainable: { kind: 'full' }, checkpointLayers }, g);
        const { lossSum, count } = trace.lmLoss();
        return { loss: ops.div(lossSum, count), params: trace.parameters.filter((p) => checked.includes(p.name)) };
      },
      { ...batch.feeds, ...Object.fromEntries(values) },
      { dims: batch.dims, atol: 1e-7, rtol: 1e-5 },
    );
    assert.ok(result.ok, result.message);
  });
}
