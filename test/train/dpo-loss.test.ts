/**
 * The DPO losses against hand-computed float64 values on three pairs: sigmoid (and cDPO label
 * smoothing), robust, hinge, ipo (length-normalized log-ratios) and the SFT term, plus the
 * defining property of step 0 — policy = reference gives −log σ(0) = log 2 for every pair.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Graph, ops } from '../../core/engine/index.js';
import type { PreferenceBuildContext } from '../../core/train/preference/index.js';
import { dpoLoss, dpoOptions } from '../../plugins/objectives/dpo.js';
import type { DpoLossType } from '../../plugins/objectives/dpo.js';
import { runOnce } from '../model/reference/compare.js';

const PC = [-10.0, -42.5, -7.25];
const PR = [-12.0, -40.0, -7.25];
const RC = [-11.0, -41.0, -8.0];
const RR = [-11.5, -41.5, -6.0];
const NC = [5, 20, 3];
const NR = [6, 18, 4];

async function perPair(type: DpoLossType, options: Record<string, unknown>, values = { PC, PR, RC, RR }): Promise<number[]> {
  const g = new Graph();
  const v = (name: string) => g.input(name, 'float32', [3]);
  const ctx: PreferenceBuildContext = {
    graph: g,
    chosenLogProbs: v('pc'),
    rejectedLogProbs: v('pr'),
    referenceChosenLogProbs: v('rc'),
    referenceRejectedLogProbs: v('rr'),
    chosenTokens: v('nc'),
    rejectedTokens: v('nr'),
  };
  // Every input takes part in the output, so the program declares all six feeds.
  const all = ops.mul(ops.add(ops.add(ops.add(ctx.chosenLogProbs, ctx.rejectedLogProbs), ops.add(ctx.referenceChosenLogProbs, ctx.referenceRejectedLogProbs)), ops.add(ctx.chosenTokens, ctx.rejectedTokens)), 0);
  const program = g.compile({ outputs: { loss: ops.add(dpoLoss(type, ctx, dpoOptions.parse(options)), all) } });
  const feeds = { pc: values.PC, pr: values.PR, rc: values.RC, rr: values.RR, nc: NC, nr: NR };
  return Array.from((await runOnce(program, Object.fromEntries(Object.entries(feeds).map(([k, x]) => [k, Float32Array.from(x)])), {})).loss!.data as Float32Array);
}

const logSigmoid = (x: number): number => -Math.log1p(Math.exp(-x));
const delta = (i: number): number => PC[i]! - RC[i]! - (PR[i]! - RR[i]!);
const close = (got: number[], want: number[], tol = 2e-5): void => got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < tol, `pair ${i}: ${g} vs ${want[i]}`));

describe('DPO losses', () => {
  test('sigmoid: −log σ(βΔ); pair 0 by hand: Δ = (−10 + 11) − (−12 + 11.5) = 1.5, β 0.1 → −log σ(0.15) = 0.62096', async () => {
    const got = await perPair('sigmoid', { beta: 0.1 });
    close(got, [0, 1, 2].map((i) => -logSigmoid(0.1 * delta(i))));
    assert.ok(Math.abs(got[0]! - 0.620957) < 1e-5);
  });
  test('sigmoid with label smoothing ε (cDPO) and robust', async () => {
    const e = 0.2;
    const b = 0.5;
    close(await perPair('sigmoid', { beta: b, labelSmoothing: e }), [0, 1, 2].map((i) => -(1 - e) * logSigmoid(b * delta(i)) - e * logSigmoid(-b * delta(i))));
    close(await perPair('robust', { beta: b, labelSmoothing: e }), [0, 1, 2].map((i) => (-(1 - e) * logSigmoid(b * delta(i)) + e * logSigmoid(-b * delta(i))) / (1 - 2 * e)));
  });
  test('hinge: max(0, 1 − βΔ) (pair 2: Δ = 0.75 − (−1.25) = 2, β 0.5 → 0)', async () => {
    const got = await perPair('hinge', { beta: 0.5 });
    close(got, [0, 1, 2].map((i) => Math.max(0, 1 - 0.5 * delta(i))));
    assert.equal(got[2], 0);
  });
  test('ipo: (h_c/|y_c| − h_r/|y_r| − 1/(2β))²', async () => {
    const want = [0, 1, 2].map((i) => ((PC[i]! - RC[i]!) / NC[i]! - (PR[i]! - RR[i]!) / NR[i]! - 1 / (2 * 0.1)) ** 2);
    close(await perPair('ipo', { beta: 0.1 }), want, 1e-3);
  });
  test('sft: the chosen completion NLL (−Σ log π), meant per chosen token by the trainer', async () => {
    close(await perPair('sft', {}), PC.map((x) => -x));
  });
  test('at step 0 the policy is the reference: every sigmoid loss is log 2', async () => {
    close(await perPair('sigmoid', { beta: 0.1 }, { PC, PR, RC: PC, RR: PR }), [Math.LN2, Math.LN2, Math.LN2], 1e-6);
  });
  test('options: lossWeights must match lossType, a loss listed twice is refused', () => {
    assert.throws(() => dpoOptions.parse({ lossType: ['sigmoid', 'sft'], lossWeights: [1] }), /one weight per loss/);
    assert.throws(() => dpoOptions.parse({ lossType: ['sigmoid', 'sigmoid'] }), /twice/);
    assert.throws(() => dpoOptions.parse({ labelSmoothing: 0.5 }));
  });
});
