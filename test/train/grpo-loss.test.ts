/**
 * The GRPO policy term and its normalizations against hand-computed values on small tensors:
 * clipping (low with A < 0, high with A > 0), the δ cap, sequence-level ratios, the k3 KL with β,
 * and each loss type's per-row weights and normalizer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Graph, ops } from '../../core/engine/index.js';
import { rolloutNormalizer, rolloutRowWeights } from '../../core/train/rollout/index.js';
import type { RolloutBuildContext } from '../../core/train/rollout/index.js';
import { grpoOptions, grpoPerToken } from '../../plugins/objectives/grpo.js';
import { runOnce } from '../model/reference/compare.js';

// Two completions of three tokens; the second has only two active tokens.
const LOGP = [-1.0, -2.0, -0.5, -1.5, -0.2, 0];
const OLD = [-1.3, -1.9, -0.5, -1.0, -0.6, 0];
const REF = [-1.1, -2.5, -0.4, -1.4, -0.3, 0];
const MASK = [1, 1, 1, 1, 1, 0];
const ADV = [1.5, -0.8];

async function perToken(options: Record<string, unknown>): Promise<number[]> {
  const g = new Graph();
  const grid = (name: string) => g.input(name, 'float32', [2, 3]);
  const ctx: RolloutBuildContext = {
    graph: g,
    logProbs: grid('logp'),
    oldLogProbs: grid('old'),
    referenceLogProbs: () => grid('ref'),
    mask: grid('mask'),
    advantages: g.input('adv', 'float32', [2]),
  };
  const o = grpoOptions.parse(options);
  const loss = ops.mul(grpoPerToken(ctx, o), ctx.mask);
  const program = g.compile({ outputs: { loss: ops.add(loss, ops.mul(ctx.mask, 0)) } });
  const wanted = new Set(program.inputs.map((i) => i.name));
  const feeds = Object.fromEntries(Object.entries({ logp: LOGP, old: OLD, ref: REF, mask: MASK, adv: ADV }).filter(([k]) => wanted.has(k)).map(([k, v]) => [k, Float32Array.from(v)]));
  return Array.from((await runOnce(program, feeds, {})).loss!.data as Float32Array);
}

function expected(o: { eps: number; epsHigh?: number; delta?: number; beta?: number; sequence?: boolean }): number[] {
  const out: number[] = [];
  for (let b = 0; b < 2; b++) {
    const idx = [0, 1, 2].map((t) => b * 3 + t);
    const active = idx.filter((i) => MASK[i] === 1);
    const seqLogRatio = active.reduce((s, i) => s + (LOGP[i]! - OLD[i]!), 0) / active.length;
    for (const i of idx) {
      if (MASK[i] === 0) {
        out.push(0);
        continue;
      }
      const ratio = Math.exp(o.sequence ? seqLogRatio : LOGP[i]! - OLD[i]!);
      const clipped = Math.min(Math.max(ratio, 1 - o.eps), 1 + (o.epsHigh ?? o.eps));
      const capped = o.delta !== undefined ? Math.min(ratio, o.delta) : ratio;
      let loss = -Math.min(capped * ADV[b]!, clipped * ADV[b]!);
      if (o.beta) {
        const r = REF[i]! - LOGP[i]!;
        loss += o.beta * (Math.exp(r) - r - 1);
      }
      out.push(loss);
    }
  }
  return out;
}

const close = (got: number[], want: number[]): void => got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-5, `token ${i}: ${g} vs ${want[i]}`));

describe('GRPO policy term', () => {
  test('token-level clipping: ρ = e^0.3 is clipped high for A > 0; ρ = e^−0.5 clipped low only matters for A < 0', async () => {
    close(await perToken({ epsilon: 0.2 }), expected({ eps: 0.2 }));
    // Hand check of token 0: ρ = e^0.3 = 1.3499 > 1.2, A = 1.5 → −min(2.0248, 1.8) = −1.8.
    assert.ok(Math.abs((await perToken({ epsilon: 0.2 }))[0]! + 1.8) < 1e-5);
  });
  test('ε_high, the δ cap, sequence-level ratios and the k3 KL', async () => {
    close(await perToken({ epsilon: 0.2, epsilonHigh: 0.28 }), expected({ eps: 0.2, epsHigh: 0.28 }));
    close(await perToken({ epsilon: 0.2, delta: 1.25 }), expected({ eps: 0.2, delta: 1.25 }));
    close(await perToken({ epsilon: 0.2, importanceSamplingLevel: 'sequence' }), expected({ eps: 0.2, sequence: true }));
    close(await perToken({ epsilon: 0.2, beta: 0.04 }), expected({ eps: 0.2, beta: 0.04 }));
  });
});

describe('GRPO loss-type normalizations', () => {
  const batch = { rowTokens: [3, 2] };
  const step = { microBatches: 2, activeTokens: 11, maxCompletionLength: 8 };
  test('grpo: per-sequence means, then the mean over sequences, ÷ GA', () => {
    assert.deepEqual(rolloutRowWeights('grpo', batch), [1 / 3, 1 / 2]);
    assert.equal(rolloutNormalizer('grpo', batch, step), 1 / (2 * 2));
    assert.deepEqual(rolloutRowWeights('grpo', { rowTokens: [0, 4] }), [0, 1 / 4], 'a masked truncated completion weighs nothing');
  });
  test('bnpo, dr_grpo and dapo', () => {
    assert.deepEqual(rolloutRowWeights('dapo', batch), [1, 1]);
    assert.equal(rolloutNormalizer('bnpo', batch, step), 1 / (5 * 2));
    assert.equal(rolloutNormalizer('dr_grpo', batch, step), 1 / (2 * 8 * 2));
    assert.equal(rolloutNormalizer('dapo', batch, step), 1 / 11, 'dapo: tokens of the whole generation batch, no ÷ GA');
  });
});
