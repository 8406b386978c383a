/**
 * NaN/Inf detection over loss terms, gradients and parameters. The error names the step, the
 * loss term or tensor, the offending value and what to try, because a bare "NaN loss" after
 * hours of training tells nobody where to look.
 */
import { AttuneError } from '../../base/errors.js';
import type { GradientMap, Parameter } from './parameter.js';

export type NonFiniteKind = 'loss' | 'gradient' | 'parameter';

const ADVICE: Record<NonFiniteKind, string> = {
  loss:
    'Try a lower learning rate, enable gradient clipping (maxGradNorm), and check this batch for empty or degenerate examples (e.g. no assistant tokens to score).',
  gradient:
    'Try a lower learning rate or a longer warmup, enable gradient clipping (maxGradNorm), and check the data of this step for extreme or empty examples.',
  parameter:
    'The previous update diverged: resume from the last good checkpoint with a lower learning rate and gradient clipping, and check the data around this step.',
};

export interface NonFiniteLocation {
  readonly step: number;
  readonly kind: NonFiniteKind;
  /** Loss term or tensor name. */
  readonly name: string;
  readonly value: number;
  /** Flat index of the first non-finite element (tensors only). */
  readonly index?: number;
  /** How many elements of the tensor are non-finite (tensors only). */
  readonly count?: number;
}

export class NonFiniteError extends AttuneError {
  override name = 'NonFiniteError';

  constructor(readonly location: NonFiniteLocation) {
    const { step, kind, name, value, index, count } = location;
    const where =
      kind === 'loss'
        ? `loss term '${name}' is ${value}`
        : `${kind} '${name}' has ${value} at flat index ${index ?? '?'}${count !== undefined ? ` (${count} non-finite value${count === 1 ? '' : 's'})` : ''}`;
    const stepText = step >= 0 ? `at step ${step}` : '(step unknown)';
    // The advice is part of the message (not a separate hint) so it survives any logger.
    super(`Non-finite ${kind} ${stepText}: ${where}. ${ADVICE[kind]}`);
  }
}

/**
 * Sums in float64: the sum of float32 values cannot overflow there, so it is finite exactly
 * when every element is, and the scan stays a single tight loop in the common (clean) case.
 */
export function allFinite(data: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] as number;
  return Number.isFinite(sum);
}

/** First non-finite element and the number of them, or undefined when all are finite. */
export function findNonFinite(data: Float32Array): { index: number; value: number; count: number } | undefined {
  if (allFinite(data)) return undefined;
  let index = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] as number)) {
      if (index === -1) index = i;
      count++;
    }
  }
  return { index, value: data[index] as number, count };
}

/** Throws NonFiniteError for the first non-finite tensor in iteration order. */
export function checkTensorsFinite(step: number, kind: Exclude<NonFiniteKind, 'loss'>, tensors: Iterable<readonly [string, Float32Array]>): void {
  for (const [name, data] of tensors) {
    const found = findNonFinite(data);
    if (found) throw new NonFiniteError({ step, kind, name, ...found });
  }
}

export interface FiniteCheckInput {
  readonly losses?: Readonly<Record<string, number>>;
  readonly gradients?: GradientMap;
  readonly parameters?: readonly Parameter[];
}

/** Loss terms first (usually the root cause), then gradients, then parameters. */
export function checkFinite(step: number, input: FiniteCheckInput): void {
  for (const [name, value] of Object.entries(input.losses ?? {})) {
    if (!Number.isFinite(value)) throw new NonFiniteError({ step, kind: 'loss', name, value });
  }
  if (input.gradients) checkTensorsFinite(step, 'gradient', Object.entries(input.gradients));
  if (input.parameters) checkTensorsFinite(step, 'parameter', input.parameters.map((p) => [p.name, p.data] as const));
}
