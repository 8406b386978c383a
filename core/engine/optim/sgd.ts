/**
 * SGD with momentum, dampening, Nesterov and (coupled, L2-style) weight decay, following
 * PyTorch's formulation so hyperparameters transfer:
 *   d ← g + wd·p;  b ← d on the first step, else μ·b + (1−τ)·d
 *   d ← d + μ·b (Nesterov) or b;  p ← p − lr·d
 */
import { AttuneError } from '../../base/errors.js';
import { checkLearningRate, checkRange, type Optimizer } from './optimizer.js';
import { gradientFor, validateParameters, type GradientMap, type Parameter } from './parameter.js';
import { resolveGroups, type ParamGroupRule, type ResolvedGroup } from './param-groups.js';
import { f32Entry, readF32, readStep, rejectUnexpected, stepEntry, type StoredTensorMap, type TensorEntry } from './tensor-map.js';

export interface SGDOptions {
  readonly momentum?: number;
  readonly dampening?: number;
  readonly nesterov?: boolean;
  /** L2 weight decay added to the gradient, for parameters no group overrides; default 0. */
  readonly weightDecay?: number;
  readonly groups?: readonly ParamGroupRule[];
}

interface SgdSlot {
  readonly param: Parameter;
  readonly group: ResolvedGroup;
  /** Empty when momentum is 0: plain SGD keeps no state. */
  readonly buffer: Float32Array;
}

const OWNER = 'SGD';
export const SGD_STEP_KEY = 'sgd.step';
export const sgdBufferKey = (name: string): string => `sgd.momentum_buffer.${name}`;

export class SGD implements Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  private readonly slots: readonly SgdSlot[];
  private t = 0;

  constructor(params: readonly Parameter[], options: SGDOptions = {}) {
    validateParameters(params, OWNER);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    checkRange(this.momentum, 0, 1, `${OWNER} momentum`);
    checkRange(this.dampening, 0, 1, `${OWNER} dampening`, true);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new AttuneError(
        `${OWNER}: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum ${this.momentum}, dampening ${this.dampening}).`,
      );
    }
    const groups = resolveGroups(params, options.groups ?? [], options.weightDecay ?? 0);
    this.slots = params.map((param, i) => ({
      param,
      group: groups[i] as ResolvedGroup,
      buffer: new Float32Array(this.momentum > 0 ? param.data.length : 0),
    }));
  }

  get stepCount(): number {
    return this.t;
  }

  groupOf(name: string): ResolvedGroup | undefined {
    return this.slots.find((slot) => slot.param.name === name)?.group;
  }

  step(grads: GradientMap, lr: number): void {
    checkLearningRate(lr, OWNER);
    const gradients = this.slots.map((slot) => gradientFor(grads, slot.param, OWNER));
    const first = this.t === 0;
    this.t += 1;
    const mu = this.momentum;
    const keep = 1 - this.dampening;
    const nesterov = this.nesterov;
    for (let s = 0; s < this.slots.length; s++) {
      const { param, group, buffer } = this.slots[s] as SgdSlot;
      const g = gradients[s] as Float32Array;
      const p = param.data;
      const groupLr = lr * group.lrScale;
      const wd = group.weightDecay;
      const n = p.length;
      if (mu === 0) {
        for (let i = 0; i < n; i++) p[i] = (p[i] as number) - groupLr * ((g[i] as number) + wd * (p[i] as number));
        continue;
      }
      for (let i = 0; i < n; i++) {
        const pi = p[i] as number;
        const d = (g[i] as number) + wd * pi;
        const b = first ? d : mu * (buffer[i] as number) + keep * d;
        buffer[i] = b;
        p[i] = pi - groupLr * (nesterov ? d + mu * b : b);
      }
    }
  }

  exportState(): Record<string, TensorEntry> {
    const state: Record<string, TensorEntry> = { [SGD_STEP_KEY]: stepEntry(this.t) };
    if (this.momentum > 0) {
      for (const { param, buffer } of this.slots) state[sgdBufferKey(param.name)] = f32Entry(param.shape, buffer);
    }
    return state;
  }

  loadState(state: StoredTensorMap, what = 'SGD state'): void {
    const step = readStep(state, SGD_STEP_KEY, what);
    const expected = new Set([SGD_STEP_KEY]);
    const buffers =
      this.momentum > 0
        ? this.slots.map(({ param }) => {
            expected.add(sgdBufferKey(param.name));
            return readF32(state, sgdBufferKey(param.name), param.shape, what);
          })
        : [];
    rejectUnexpected(state, expected, what);
    buffers.forEach((saved, i) => (this.slots[i] as SgdSlot).buffer.set(saved));
    this.t = step;
  }
}
