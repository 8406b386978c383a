/**
 * AdamW (Loshchilov & Hutter): Adam with bias correction and decoupled weight decay,
 * following PyTorch's formulation so hyperparameters transfer:
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * lr and wd are per parameter group (lr = scheduled lr × group lrScale).
 */
import { checkLearningRate, checkRange, type Optimizer } from './optimizer.js';
import { gradientFor, validateParameters, type GradientMap, type Parameter } from './parameter.js';
import { resolveGroups, type ParamGroupRule, type ResolvedGroup } from './param-groups.js';
import { f32Entry, readF32, readStep, rejectUnexpected, stepEntry, type StoredTensorMap, type TensorEntry } from './tensor-map.js';

export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay for parameters no group overrides; default 0.01 as in PyTorch. */
  readonly weightDecay?: number;
  /** First matching rule wins; unmatched parameters use lrScale 1 and `weightDecay`. */
  readonly groups?: readonly ParamGroupRule[];
}

interface AdamSlot {
  readonly param: Parameter;
  readonly group: ResolvedGroup;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

const OWNER = 'AdamW';
export const ADAMW_STEP_KEY = 'adamw.step';
export const adamwMomentKey = (name: string): string => `adamw.exp_avg.${name}`;
export const adamwVarianceKey = (name: string): string => `adamw.exp_avg_sq.${name}`;

export class AdamW implements Optimizer {
  readonly kind = 'adamw';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly slots: readonly AdamSlot[];
  private t = 0;

  constructor(params: readonly Parameter[], options: AdamWOptions = {}) {
    validateParameters(params, OWNER);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    checkRange(this.beta1, 0, 1, `${OWNER} beta1`);
    checkRange(this.beta2, 0, 1, `${OWNER} beta2`);
    checkRange(this.eps, 0, Number.MAX_VALUE, `${OWNER} eps`, true);
    const groups = resolveGroups(params, options.groups ?? [], options.weightDecay ?? 0.01);
    this.slots = params.map((param, i) => ({
      param,
      group: groups[i] as ResolvedGroup,
      m: new Float32Array(param.data.length),
      v: new Float32Array(param.data.length),
    }));
  }

  get stepCount(): number {
    return this.t;
  }

  /** The group each parameter landed in, for logging the optimizer setup. */
  groupOf(name: string): ResolvedGroup | undefined {
    return this.slots.find((slot) => slot.param.name === name)?.group;
  }

  step(grads: GradientMap, lr: number): void {
    checkLearningRate(lr, OWNER);
    // Look every gradient up before touching any parameter: a bad map must not leave a half-applied update.
    const gradients = this.slots.map((slot) => gradientFor(grads, slot.param, OWNER));
    this.t += 1;
    const { beta1, beta2, eps } = this;
    const oneMinusB1 = 1 - beta1;
    const oneMinusB2 = 1 - beta2;
    const biasCorrection1 = 1 - beta1 ** this.t;
    const sqrtBiasCorrection2 = Math.sqrt(1 - beta2 ** this.t);
    for (let s = 0; s < this.slots.length; s++) {
      const { param, group, m, v } = this.slots[s] as AdamSlot;
      const g = gradients[s] as Float32Array;
      const p = param.data;
      const groupLr = lr * group.lrScale;
      const decay = 1 - groupLr * group.weightDecay;
      const stepSize = groupLr / biasCorrection1;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i] as number;
        const mi = beta1 * (m[i] as number) + oneMinusB1 * gi;
        const vi = beta2 * (v[i] as number) + oneMinusB2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBiasCorrection2 + eps);
      }
    }
  }

  exportState(): Record<string, TensorEntry> {
    const state: Record<string, TensorEntry> = { [ADAMW_STEP_KEY]: stepEntry(this.t) };
    for (const { param, m, v } of this.slots) {
      state[adamwMomentKey(param.name)] = f32Entry(param.shape, m);
      state[adamwVarianceKey(param.name)] = f32Entry(param.shape, v);
    }
    return state;
  }

  loadState(state: StoredTensorMap, what = 'AdamW state'): void {
    const step = readStep(state, ADAMW_STEP_KEY, what);
    const buffers = this.slots.map(({ param }) => ({
      m: readF32(state, adamwMomentKey(param.name), param.shape, what),
      v: readF32(state, adamwVarianceKey(param.name), param.shape, what),
    }));
    const expected = new Set([ADAMW_STEP_KEY]);
    for (const { param } of this.slots) {
      expected.add(adamwMomentKey(param.name));
      expected.add(adamwVarianceKey(param.name));
    }
    rejectUnexpected(state, expected, what);
    this.slots.forEach((slot, i) => {
      const saved = buffers[i] as { m: Float32Array; v: Float32Array };
      slot.m.set(saved.m);
      slot.v.set(saved.v);
    });
    this.t = step;
  }
}
