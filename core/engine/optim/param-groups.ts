/**
 * Parameter groups: per-parameter learning-rate multiplier and weight decay, chosen by the
 * first matching rule (e.g. no decay for norms and biases, a larger lr for a fresh head).
 */
import { AttuneError } from '../../base/errors.js';
import type { Parameter } from './parameter.js';

export interface ParamGroupRule {
  readonly name: string;
  /** A RegExp is tested against the parameter name; a function sees name and shape. */
  readonly match: RegExp | ((param: Parameter) => boolean);
  /** Multiplies the scheduled learning rate for these parameters; default 1. */
  readonly lrScale?: number;
  /** Decoupled weight decay for these parameters; default: the optimizer's. */
  readonly weightDecay?: number;
}

export interface ResolvedGroup {
  readonly name: string;
  readonly lrScale: number;
  readonly weightDecay: number;
}

export const DEFAULT_GROUP = 'default';

/** Norm scales and biases (and any tensor with fewer than 2 dims) are conventionally not decayed. */
export function isNormOrBias(param: Parameter): boolean {
  if (param.shape.length < 2) return true;
  const segments = param.name.split('.');
  return segments[segments.length - 1] === 'bias' || segments.some((s) => /norm/i.test(s));
}

export const noDecayForNormsAndBiases: ParamGroupRule = { name: 'no-decay', match: isNormOrBias, weightDecay: 0 };

function checkNonNegative(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new AttuneError(`${what} must be a finite number >= 0, got ${value}.`);
  }
}

function matches(rule: ParamGroupRule, param: Parameter): boolean {
  // String.search ignores lastIndex, so a /g or /y RegExp cannot make matching stateful.
  return rule.match instanceof RegExp ? param.name.search(rule.match) !== -1 : rule.match(param);
}

/** One resolved group per parameter, in parameter order. */
export function resolveGroups(
  params: readonly Parameter[],
  rules: readonly ParamGroupRule[],
  defaultWeightDecay: number,
): ResolvedGroup[] {
  checkNonNegative(defaultWeightDecay, 'weightDecay');
  const resolved = rules.map((rule) => {
    const lrScale = rule.lrScale ?? 1;
    const weightDecay = rule.weightDecay ?? defaultWeightDecay;
    checkNonNegative(lrScale, `Parameter group '${rule.name}': lrScale`);
    checkNonNegative(weightDecay, `Parameter group '${rule.name}': weightDecay`);
    return { name: rule.name, lrScale, weightDecay };
  });
  const fallback: ResolvedGroup = { name: DEFAULT_GROUP, lrScale: 1, weightDecay: defaultWeightDecay };
  return params.map((param) => {
    const index = rules.findIndex((rule) => matches(rule, param));
    return index === -1 ? fallback : (resolved[index] ?? fallback);
  });
}
