/**
 * Several linears over one input — q/k/v, gate/up — with their LoRA A factors stacked: one
 * x·[A₁; A₂; …]ᵀ instead of one thin product per projection, and in the backward one dZ·[A₁; A₂; …]
 * into dX and one dZᵀ·X for all the A gradients. Rank-8 products are bound by the [rows, in]
 * operand they read or write, not by their FLOPs, so each one saved is a pass over x saved
 * (../shared/ENGINE-NOTES.md: "stacked q/k/v LoRA"). The frozen weights' products and the B side
 * stay per projection: their outputs are separate tensors anyway.
 *
 * Stacking needs every projection adapted and no LoRA dropout (PEFT draws an independent mask per
 * projection, so each A reads a different x̃); otherwise each projection is a plain `linear`.
 */
import { defineOp } from '../custom-op.js';
import type { Dim } from '../shape.js';
import { shapeProduct } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sum } from '../ops/reduce.js';
import { concat, reshape } from '../ops/shape-ops.js';
import { loraBGradient } from './lora-backward.js';
import { checkLinearArgs, linear } from './linear.js';
import type { LinearOptions } from './linear.js';
import { dim, gemm, lastDim } from './util.js';

export interface GroupedProjection extends LinearOptions {
  /** [out, in], the Hugging Face layout. */
  readonly weight: Tensor;
}

interface GroupAttrs {
  readonly projections: readonly { readonly hasBias: boolean; readonly rank: number; readonly scale: number }[];
}

interface Unpacked {
  readonly w: Tensor;
  readonly bias: Tensor | undefined;
  readonly a: Tensor;
  readonly b: Tensor;
  /** Input slots of w, bias, a, b. */
  readonly slots: { readonly w: number; readonly bias: number; readonly a: number; readonly b: number };
}

/** Inputs: x, then per projection W, bias (when present), A, B. */
function unpack(inputs: readonly (Tensor | undefined)[], at: GroupAttrs): Unpacked[] {
  let i = 1;
  return at.projections.map((p) => {
    const slots = { w: i++, bias: p.hasBias ? i++ : -1, a: i++, b: i++ };
    return { w: inputs[slots.w]!, bias: p.hasBias ? inputs[slots.bias] : undefined, a: inputs[slots.a]!, b: inputs[slots.b]!, slots };
  });
}

/** The stacked rank axis of t cut back into one part per projection. */
function splitRanks(t: Tensor, at: GroupAttrs, axis: 0 | 1): Tensor[] {
  const ranks = at.projections.map((p) => p.rank);
  return t.graph.node('Split', [t, t.graph.constant(ranks, 'int64', [ranks.length])], { axis }, { outputs: ranks.length }) as Tensor[];
}

const linearGroup2d = defineOp<GroupAttrs>({
  name: 'linearGroup',
  forward: (inputs, at) => {
    const x = inputs[0]!;
    const parts = unpack(inputs, at);
    const stackedA = concat(
      parts.map((p) => p.a),
      0,
    );
    const zs = splitRanks(gemm(x, stackedA, { transB: true }), at, 1);
    const outputs = parts.map((p, k) => {
      const base = gemm(x, p.w, { transB: true, ...(p.bias ? { c: p.bias } : {}) });
      return gemm(zs[k]!, p.b, { transB: true, alpha: at.projections[k]!.scale, c: base });
    });
    return { outputs, saved: { stackedA, ...Object.fromEntries(zs.map((z, k) => [`z${k}`, z])) } };
  },
  backward: (ctx) => {
    const at = ctx.attrs;
    const x = ctx.inputs[0]!;
    const parts = unpack(ctx.inputs, at);
    const grads: (Tensor | undefined)[] = ctx.inputs.map(() => undefined);
    const need = (i: number): boolean => i >= 0 && ctx.needsGrad[i] === true;
    const dys = parts.map((_, k) => ctx.gradOrZeros(k));
    const needsDz = need(0) || parts.some((p) => need(p.slots.a));
    const dz = needsDz
      ? concat(
          parts.map((p, k) => gemm(dys[k]!, p.b, { alpha: at.projections[k]!.scale })),
          1,
        )
      : undefined;
    if (need(0)) {
      // dX = dZ·[A₁; …] + Σ dYₖ·Wₖ, each frozen product accumulated through Gemm's C.
      let dx = gemm(dz!, ctx.saved['stackedA']!);
      parts.forEach((p, k) => (dx = gemm(dys[k]!, p.w, { c: dx })));
      grads[0] = dx;
    }
    if (parts.some((p) => need(p.slots.a))) {
      const dAs = splitRanks(gemm(dz!, x, { transA: true }), at, 0);
      parts.forEach((p, k) => need(p.slots.a) && (grads[p.slots.a] = dAs[k]));
    }
    parts.forEach((p, k) => {
      const dy = dys[k]!;
      if (need(p.slots.bias)) grads[p.slots.bias] = sum(dy, 0);
      if (need(p.slots.b)) grads[p.slots.b] = loraBGradient(ctx.saved[`z${k}`]!, dy, at.projections[k]!.scale);
      // A trainable W (full fine-tuning): dW = dYᵀ·X.
      if (need(p.slots.w)) grads[p.slots.w] = gemm(dy, x, { transA: true });
    });
    return grads;
  },
});

/** Whether the group's LoRA factors can share one stacked A (see the file comment). */
function stackable(projections: readonly GroupedProjection[]): boolean {
  return projections.length > 1 && projections.every((p) => p.lora !== undefined && p.lora.dropoutMask === undefined);
}

/**
 * x [..., in] through each projection: the same values as `linear(x, p.weight, p)` for each p,
 * with the LoRA A products stacked when every projection is adapted without dropout.
 */
export function linearGroup(x: Tensor, projections: readonly GroupedProjection[]): Tensor[] {
  if (!stackable(projections)) return projections.map((p) => linear(x, p.weight, p));
  const op = 'linearGroup';
  const inputs: Tensor[] = [];
  const outDims: Dim[] = [];
  const attrs: GroupAttrs = {
    projections: projections.map((p) => {
      outDims.push(checkLinearArgs(op, x, p.weight, p).outDim);
      const lora = p.lora!;
      inputs.push(p.weight, ...(p.bias ? [p.bias] : []), lora.a, lora.b);
      const rank = dim(lora.a, 0);
      if (typeof rank !== 'number') throw new Error(`${op}: lora.a ${lora.a.describe()} needs a concrete rank`);
      return { hasBias: !!p.bias, rank, scale: lora.scale };
    }),
  };
  const lead = x.shape.slice(0, -1);
  const rows: Dim = shapeProduct(lead);
  const ys = linearGroup2d([reshape(x, [rows, lastDim(x)]), ...inputs], attrs);
  return ys.map((y, k) => reshape(y, [...lead, outDims[k]!]));
}
