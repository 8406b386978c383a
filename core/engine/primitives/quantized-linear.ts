/**
 * y = x·dequant(W)ᵀ + b + scale·((x·Aᵀ)·Bᵀ) with a block-quantized frozen W and an fp32 LoRA
 * branch — QLoRA's frozen 4-bit base under fp32 LoRA factors. Two formats:
 * - `nbits` (int4/int8, onnxruntime's MatMulNBits layout): the forward multiplies through
 *   MatMulNBits, whose weights onnxruntime prepacks once per session (accuracy level 0 computes
 *   in fp32 on exactly the dequantized weights);
 * - `nf4` (bitsandbytes' NormalFloat, optionally double-quantized): no onnxruntime kernel takes it
 *   with a backward, so the forward dequantizes in the graph and runs a Gemm.
 * Either way the backward's dX = dY·W dequantizes the same bytes in the graph (dequantize-in-graph.ts),
 * so forward and backward see one weight; the LoRA grads are linear's (lora-backward.ts).
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { stopGradient } from '../autodiff.js';
import { mul } from '../ops/elementwise.js';
import { reshape } from '../ops/shape-ops.js';
import { loraLinearBackward } from './lora-backward.js';
import { shapeProduct, shapesEqual } from '../shape.js';
import { dequantizeInGraph } from './dequantize-in-graph.js';
import type { LoraAdapter } from './linear.js';
import { fail, gemm, lastDim, rawMatMul, requireRank } from './util.js';

interface QuantizedShape {
  readonly blockSize: number;
  /** Out features. */
  readonly n: number;
  /** In features. */
  readonly k: number;
}

/** A MatMulNBits weight as graph values (see core/model/quantize/nbits.ts for the layout). */
export interface NBitsWeight extends QuantizedShape {
  readonly format: 'nbits';
  /** uint8 [n, ⌈k/bs⌉, bs·bits/8] */
  readonly packed: Tensor;
  /** float32 [n·⌈k/bs⌉] */
  readonly scales: Tensor;
  /** uint8 zero points */
  readonly zeroPoints: Tensor;
  readonly bits: 4 | 8;
  /** MatMulNBits accuracy_level: 0 computes in fp32, 4 quantizes the activations to int8 per block. */
  readonly accuracyLevel: 0 | 4;
}

/** An NF4 weight as graph values (see core/model/quantize/nf4.ts for the layout). */
export interface NF4Weight extends QuantizedShape {
  readonly format: 'nf4';
  /** uint8 [n, ⌈k/bs⌉·bs/2], low nibble first. */
  readonly codes: Tensor;
  /** float32 absmax [n·⌈k/bs⌉], or double-quantized: int8 codes, a float32 scale per 256, and the mean. */
  readonly absmax: Tensor | { readonly q: Tensor; readonly scales: Tensor; readonly mean: number };
}

export type QuantizedWeight = NBitsWeight | NF4Weight;

type WeightAttrs = Omit<NBitsWeight, 'packed' | 'scales' | 'zeroPoints'> | (Omit<NF4Weight, 'codes' | 'absmax'> & { readonly absmaxMean?: number });

/** The weight's tensors, in input order. */
function weightTensors(w: QuantizedWeight): Tensor[] {
  if (w.format === 'nbits') return [w.packed, w.scales, w.zeroPoints];
  return 'q' in w.absmax ? [w.codes, w.absmax.q, w.absmax.scales] : [w.codes, w.absmax];
}

function weightAttrs(w: QuantizedWeight): WeightAttrs {
  if (w.format === 'nbits') {
    const { packed: _p, scales: _s, zeroPoints: _z, ...rest } = w;
    return rest;
  }
  const { codes: _c, absmax, ...rest } = w;
  return 'q' in absmax ? { ...rest, absmaxMean: absmax.mean } : rest;
}

/** The weight again from its attrs and input tensors, inside forward or backward. */
function rebuild(q: WeightAttrs, t: readonly Tensor[]): QuantizedWeight {
  if (q.format === 'nbits') return { ...q, packed: t[0]!, scales: t[1]!, zeroPoints: t[2]! };
  const { absmaxMean, ...rest } = q as Omit<NF4Weight, 'codes' | 'absmax'> & { absmaxMean?: number };
  return { ...rest, codes: t[0]!, absmax: absmaxMean !== undefined ? { q: t[1]!, scales: t[2]!, mean: absmaxMean } : t[1]! };
}

interface Attrs {
  readonly q: WeightAttrs;
  readonly weightInputs: number;
  readonly hasBias: boolean;
  readonly hasLora: boolean;
  readonly hasMask: boolean;
  readonly scale: number;
}

/** Input slots after x and the weight's tensors: bias, A, B, mask when present. */
function slots(a: Attrs): { bias: number; a: number; b: number; mask: number } {
  const bias = 1 + a.weightInputs;
  const first = a.hasBias ? bias + 1 : bias;
  return { bias: a.hasBias ? bias : -1, a: a.hasLora ? first : -1, b: a.hasLora ? first + 1 : -1, mask: a.hasMask ? first + 2 : -1 };
}

const quantized2d = defineOp<Attrs>({
  name: 'quantizedLinear',
  forward: (inputs, at) => {
    const x = inputs[0]!;
    const s = slots(at);
    const w = rebuild(at.q, inputs.slice(1, 1 + at.weightInputs));
    const bias = at.hasBias ? (inputs[s.bias] as Tensor) : undefined;
    let y: Tensor;
    if (w.format === 'nbits') {
      const nbits = { K: w.k, N: w.n, bits: w.bits, block_size: w.blockSize, accuracy_level: w.accuracyLevel };
      y = x.graph.node('MatMulNBits', [x, w.packed, w.scales, w.zeroPoints], nbits, { domain: 'com.microsoft' })[0] as Tensor;
      if (bias) y = x.graph.node('Add', [y, bias])[0] as Tensor;
    } else {
      // Anchored on x, the backward's copy on dY: two chains that onnxruntime cannot merge into one
      // fp32 weight kept alive from the forward to the backward.
      y = gemm(x, dequantizeInGraph(w, x), { transB: true, ...(bias ? { c: bias } : {}) });
    }
    if (!at.hasLora) return y;
    const xd = at.hasMask ? mul(x, inputs[s.mask] as Tensor) : x;
    const z = gemm(xd, inputs[s.a] as Tensor, { transB: true });
    return { outputs: gemm(z, inputs[s.b] as Tensor, { transB: true, alpha: at.scale, c: y }), saved: { xd, z } };
  },
  backward: (ctx) => {
    const w = rebuild(ctx.attrs.q, ctx.inputs.slice(1, 1 + ctx.attrs.weightInputs) as Tensor[]);
    const grads: (Tensor | undefined)[] = ctx.inputs.map(() => undefined);
    loraLinearBackward(ctx, slots(ctx.attrs), (dy) => rawMatMul(dy, dequantizeInGraph(w, dy)), grads);
    return grads;
  },
});

/** x [..., k] through a quantized weight (+ bias [n]) (+ LoRA, with its dropout mask) → [..., n]. */
export function quantizedLinear(x: Tensor, w: QuantizedWeight, options: { bias?: Tensor; lora?: LoraAdapter } = {}): Tensor {
  const op = 'quantizedLinear';
  if (x.dtype !== 'float32') fail(op, `x ${x.describe()} must be float32 (quantized weights compute in float32)`);
  if (lastDim(x) !== w.k) fail(op, `the last dim of x ${x.describe()} is not the weight's in features ${w.k}`);
  const { bias, lora } = options;
  if (lora) {
    requireRank(op, 'lora.a', lora.a, 2, '[r, in]');
    requireRank(op, 'lora.b', lora.b, 2, '[out, r]');
  }
  const lead = x.shape.slice(0, -1);
  const rows = shapeProduct(lead);
  const tensors = weightTensors(w);
  const inputs: Tensor[] = [reshape(x, [rows, w.k]), ...tensors];
  if (bias) inputs.push(bias);
  if (lora) inputs.push(lora.a, lora.b);
  if (lora?.dropoutMask) {
    if (!shapesEqual(lora.dropoutMask.shape, x.shape)) fail(op, `lora.dropoutMask ${lora.dropoutMask.describe()} must have the shape of x ${x.describe()}`);
    inputs.push(reshape(stopGradient(lora.dropoutMask), [rows, w.k]));
  }
  const attrs: Attrs = { q: weightAttrs(w), weightInputs: tensors.length, hasBias: !!bias, hasLora: !!lora, hasMask: !!lora?.dropoutMask, scale: lora?.scale ?? 1 };
  const y = quantized2d(inputs, attrs)[0] as Tensor;
  return reshape(y, [...lead, w.n]);
}
