/**
 * Global-norm gradient clipping (as torch.nn.utils.clip_grad_norm_): all gradients are scaled
 * together by maxNorm / (norm + 1e-6) when their joint L2 norm exceeds maxNorm.
 */
import { AttuneError } from '../../base/errors.js';
import { checkTensorsFinite, NonFiniteError } from './non-finite.js';
import type { GradientMap } from './parameter.js';

/** L2 norm over every element of every gradient, accumulated in float64. */
export function globalGradNorm(grads: GradientMap): number {
  let sumSquares = 0;
  for (const g of Object.values(grads)) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i] as number;
      sumSquares += x * x;
    }
  }
  return Math.sqrt(sumSquares);
}

export interface ClipOptions {
  /** Named in the error when the norm is not finite. */
  readonly step?: number;
}

/**
 * Scales `grads` in place so their global norm is at most `maxNorm`; returns the norm before
 * clipping (the number worth logging). A non-finite norm throws a NonFiniteError naming the
 * first bad gradient, since scaling NaNs would only hide them.
 */
export function clipGradNorm(grads: GradientMap, maxNorm: number, options: ClipOptions = {}): number {
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new AttuneError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}.`, 'Set maxGradNorm to e.g. 1.0, or leave clipping off.');
  }
  const step = options.step ?? -1;
  const norm = globalGradNorm(grads);
  if (!Number.isFinite(norm)) {
    checkTensorsFinite(step, 'gradient', Object.entries(grads));
    // Every element was finite yet the norm overflowed: cannot happen for float32 inputs summed in float64.
    throw new NonFiniteError({ step, kind: 'gradient', name: '(global norm)', value: norm });
  }
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const g of Object.values(grads)) {
      for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * coefficient;
    }
  }
  return norm;
}
