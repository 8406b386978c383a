/**
 * The backward that every linear with a LoRA branch shares, whatever holds its frozen weight
 * (fp32 in linear.ts, block-quantized in quantized-linear.ts): dX = base + dZ·A (⊙ mask), where
 * dZ = s·dY·B; dA = dZᵀ·X̃; dBᵀ = s·Zᵀ·dY, transposing the thin [r, out] result rather than a
 * [rows, out] operand. Fills `grads` at the slots that need one.
 */
import type { CustomVjpContext } from '../custom-op.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { transpose } from '../ops/shape-ops.js';
import type { Tensor } from '../tensor.js';
import { gemm, rawMatMul } from './util.js';

export interface LoraSlots {
  readonly bias: number;
  readonly a: number;
  readonly b: number;
  readonly mask: number;
}

/**
 * dB = s·dYᵀ·Z, formed as (s·Zᵀ·dY)ᵀ: the transposed operand of the product is the thin
 * Z [rows, r], and the transpose is of the small [r, out] result rather than of dY.
 */
export function loraBGradient(z: Tensor, dy: Tensor, scale: number): Tensor {
  return transpose(gemm(z, dy, { transA: true, alpha: scale }), [1, 0]);
}

export function loraLinearBackward<A extends { readonly hasLora: boolean; readonly hasMask: boolean; readonly scale: number }>(
  ctx: CustomVjpContext<A>,
  s: LoraSlots,
  /** dY·W for the frozen weight, built only when x needs a gradient. */
  baseDx: (dy: Tensor) => Tensor,
  grads: (Tensor | undefined)[],
): void {
  const at = ctx.attrs;
  const dy = ctx.gradOrZeros(0);
  const need = (i: number): boolean => i >= 0 && ctx.needsGrad[i] === true;
  let dz: Tensor | undefined;
  const loraDz = (): Tensor => (dz ??= gemm(dy, ctx.inputs[s.b] as Tensor, { alpha: at.scale }));
  if (need(0)) {
    const base = baseDx(dy);
    if (!at.hasLora) grads[0] = base;
    else if (at.hasMask) grads[0] = add(base, mul(rawMatMul(loraDz(), ctx.inputs[s.a] as Tensor), ctx.inputs[s.mask] as Tensor));
    else grads[0] = gemm(loraDz(), ctx.inputs[s.a] as Tensor, { c: base });
  }
  if (need(s.bias)) grads[s.bias] = sum(dy, 0);
  if (need(s.a)) grads[s.a] = gemm(loraDz(), ctx.saved['xd'] as Tensor, { transA: true });
  if (need(s.b)) grads[s.b] = loraBGradient(ctx.saved['z'] as Tensor, dy, at.scale);
}
