/**
 * A pre-norm decoder block built only from the primitives (RMSNorm → q/k/v with LoRA → RoPE →
 * GQA attention → o_proj → residual → RMSNorm → SwiGLU MLP → residual) under a frozen lm_head
 * cross-entropy: a few plain SGD steps on the LoRA adapters and norm weights lower the loss.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSession, Graph, gradients, ops } from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, swiglu } from '../../core/engine/primitives/index.js';
import { rng } from './gradcheck-helpers.js';

const [B, S, H, nH, nKV, D, I, V, R] = [2, 6, 16, 4, 2, 4, 24, 11, 4];

describe('primitives: transformer block', () => {
  test('trains to a lower loss in a few SGD steps', async () => {
    const r = rng(77);
    const rand = (n: number, amp: number): Float32Array => Float32Array.from({ length: n }, () => amp * (2 * r() - 1));
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', S, H]);
    const cos = g.input('cos', 'float32', ['batch', S, D]);
    const sin = g.input('sin', 'float32', ['batch', S, D]);
    const mask = g.input('mask', 'float32', ['batch', S]);
    const labels = g.input('labels', 'int64', ['batch*6']);
    const trainable: Tensor[] = [];
    const feeds: Record<string, Float32Array | BigInt64Array> = {};
    const param = (name: string, shape: number[], init: Float32Array): Tensor => {
      const t = g.parameter(name, 'float32', shape);
      trainable.push(t);
      feeds[name] = init;
      return t;
    };
    const frozen = (name: string, shape: number[]): Tensor => g.initializer(name, { data: rand(shape[0]! * shape[1]!, 1 / Math.sqrt(shape[1]!)), shape });
    // PEFT init: A random, B zero, so step 0 only moves B and the block starts at its frozen output.
    const proj = (name: string, out: number, inp: number, t: Tensor): Tensor =>
      linear(t, frozen(`${name}.weight`, [out, inp]), {
        lora: { a: param(`${name}.lora_A`, [R, inp], rand(R * inp, 0.3)), b: param(`${name}.lora_B`, [out, R], new Float32Array(out * R)), scale: 2 },
      });
    const heads = (t: Tensor, n: number): Tensor => ops.transpose(ops.reshape(t, ['batch', S, n, D]), [0, 2, 1, 3]);

    const n1 = rmsNorm(x, param('ln1', [H], new Float32Array(H).fill(1)), 1e-6);
    const q = rotaryEmbedding(heads(proj('q', nH * D, H, n1), nH), cos, sin);
    const k = rotaryEmbedding(heads(proj('k', nKV * D, H, n1), nKV), cos, sin);
    const v = heads(proj('v', nKV * D, H, n1), nKV);
    const att = ops.reshape(ops.transpose(attention(q, k, v, { scale: 1 / Math.sqrt(D), causal: true, keyPaddingMask: mask }), [0, 2, 1, 3]), ['batch', S, nH * D]);
    const h1 = ops.add(x, proj('o', H, nH * D, att));
    const n2 = rmsNorm(h1, param('ln2', [H], new Float32Array(H).fill(1)), 1e-6);
    const h2 = ops.add(h1, proj('down', H, I, swiglu(proj('gate', I, H, n2), proj('up', I, H, n2))));
    const { lossSum, count } = lmHeadCrossEntropy(ops.reshape(h2, ['batch*6', H]), frozen('lm_head', [V, H]), labels);
    const loss = ops.div(lossSum, count);
    const session = await EngineSession.create(g.compile({ outputs: { loss, ...gradients(loss, trainable) } }), { intraOpThreads: 1 });

    feeds['x'] = rand(B * S * H, 1);
    const cosv = new Float32Array(B * S * D);
    const sinv = new Float32Array(B * S * D);
    for (let i = 0; i < B * S; i++) {
      for (let d = 0; d < D; d++) {
        const angle = (i % S) / Math.pow(10000, (2 * (d % (D / 2))) / D);
        cosv[i * D + d] = Math.cos(angle);
        sinv[i * D + d] = Math.sin(angle);
      }
    }
    feeds['cos'] = cosv;
    feeds['sin'] = sinv;
    feeds['mask'] = Float32Array.from({ length: B * S }, (_, i) => (i === B * S - 1 ? 0 : 1));
    feeds['labels'] = BigInt64Array.from({ length: B * S }, (_, i) => (i === B * S - 1 ? -100n : BigInt((i * 5) % V)));

    const losses: number[] = [];
    for (let step = 0; step < 12; step++) {
      const out = await session.run(feeds);
      losses.push(out['loss']?.data[0] as number);
      for (const t of trainable) {
        const p = feeds[t.name] as Float32Array;
        const grad = out[t.name]?.data as Float32Array;
        for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - 0.5 * (grad[i] as number);
      }
    }
    await session.release();
    const first = losses[0] as number;
    const last = losses[losses.length - 1] as number;
    assert.ok(Number.isFinite(last) && last < 0.8 * first, `loss went ${losses.map((l) => l.toFixed(3)).join(' -> ')}`);
  });
});
