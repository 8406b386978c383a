/**
 * y = x·dequant(W)ᵀ + b + scale·((x·Aᵀ)·Bᵀ) with a block-quantized frozen W (onnxruntime's
 * MatMulNBits, whose weights onnxruntime prepacks once per session) and an fp32 LoRA branch.
 * The forward multiplies through MatMulNBits (fp32 compute at accuracy level 0: exactly the
 * dequantized weights); the backward's dX = dY·W dequantizes the same bytes in the graph
 * (dequantize-nbits.ts), so forward and backward see one weight — QLoRA's frozen 4-bit base under
 * fp32 LoRA factors. The LoRA grads are linear's: dA = dZᵀ·X̃, dBᵀ = Zᵀ·dY.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { stopGradient } from '../autodiff.js';
import { mul } from '../ops/elementwise.js';
import { reshape } from '../ops/shape-ops.js';
import { loraLinearBackward } from './lora-backward.js';
import { shapeProduct, shapesEqual } from '../shape.js';
import { dequantizeInGraph } from './dequantize-nbits.js';
import type { LoraAdapter } from './linear.js';
import { fail, gemm, lastDim, rawMatMul, requireRank } from './util.js';

/** A quantized [n, k] weight as graph values (see core/model/quantize/nbits.ts for the layout). */
export interface QuantizedWeight {
  /** uint8 [n, ⌈k/bs⌉, bs·bits/8] */
  readonly packed: Tensor;
  /** float32 [n·⌈k/bs⌉] */
  readonly scales: Tensor;
  /** uint8 zero points */
  readonly zeroPoints: Tensor;
  readonly bits: 4 | 8;
  readonly blockSize: number;
  /** Out features. */
  readonly n: number;
  /** In features. */
  readonly k: number;
  /** MatMulNBits accuracy_level: 0 computes in fp32, 4 quantizes the activations to int8 per block. */
  readonly accuracyLevel: 0 | 4;
}

interface Attrs {
  readonly q: Omit<QuantizedWeight, 'packed' | 'scales' | 'zeroPoints'>;
  readonly hasBias: boolean;
  readonly hasLora: boolean;
  readonly hasMask: boolean;
  readonly scale: number;
}

/** Input slots after x, packed, scales, zero points: bias, A, B, mask when present. */
function slots(a: Attrs): { bias: number; a: number; b: number; mask: number } {
  const first = a.hasBias ? 5 : 4;
  return { bias: a.hasBias ? 4 : -1, a: a.hasLora ? first : -1, b: a.hasLora ? first + 1 : -1, mask: a.hasMask ? first + 2 : -1 };
}

const quantized2d = defineOp<Attrs>({
  name: 'quantizedLinear',
  forward: (inputs, at) => {
    const [x, packed, scales, zeroPoints] = inputs as Tensor[];
    const nbits = {
      K: at.q.k,
      N: at.q.n,
      bits: at.q.bits,
      block_size: at.q.blockSize,
      accuracy_level: at.q.accuracyLevel,
    };
    const s = slots(at);
    let y = x!.graph.node('MatMulNBits', [x, packed, scales, zeroPoints], nbits, { domain: 'com.microsoft' })[0] as Tensor;
    if (at.hasBias) y = x!.graph.node('Add', [y, inputs[s.bias] as Tensor])[0] as Tensor;
    if (!at.hasLora) return y;
    const xd = at.hasMask ? mul(x!, inputs[s.mask] as Tensor) : x!;
    const z = gemm(xd, inputs[s.a] as Tensor, { transB: true });
    return { outputs: gemm(z, inputs[s.b] as Tensor, { transB: true, alpha: at.scale, c: y }), saved: { xd, z } };
  },
  backward: (ctx) => {
    const [, packed, scales, zeroPoints] = ctx.inputs as Tensor[];
    const grads: (Tensor | undefined)[] = ctx.inputs.map(() => undefined);
    loraLinearBackward(ctx, slots(ctx.attrs), (dy) => rawMatMul(dy, dequantizeInGraph({ ...ctx.attrs.q, packed: packed!, scales: scales!, zeroPoints: zeroPoints! }, dy)), grads);
    return grads;
  },
});

/** x [..., k] through a quantized weight (+ bias [n]) (+ LoRA, without dropout) → [..., n]. */
export function quantizedLinear(x: Tensor, w: QuantizedWeight, options: { bias?: Tensor; lora?: LoraAdapter } = {}): Tensor {
  const op = 'quantizedLinear';
  if (x.dtype !== 'float32') fail(op, `x ${x.describe()} must be float32 (MatMulNBits computes in float32)`);
  if (lastDim(x) !== w.k) fail(op, `the last dim of x ${x.describe()} is not the weight's in features ${w.k}`);
  const { bias, lora } = options;
  if (lora) {
    requireRank(op, 'lora.a', lora.a, 2, '[r, in]');
    requireRank(op, 'lora.b', lora.b, 2, '[out, r]');
  }
  const lead = x.shape.slice(0, -1);
  const rows = shapeProduct(lead);
  const inputs: Tensor[] = [reshape(x, [rows, w.k]), w.packed, w.scales, w.zeroPoints];
  if (bias) inputs.push(bias);
  if (lora) inputs.push(lora.a, lora.b);
  if (lora?.dropoutMask) {
    if (!shapesEqual(lora.dropoutMask.shape, x.shape)) fail(op, `lora.dropoutMask ${lora.dropoutMask.describe()} must have the shape of x ${x.describe()}`);
    inputs.push(reshape(stopGradient(lora.dropoutMask), [rows, w.k]));
  }
  const { packed: _p, scales: _s, zeroPoints: _z, ...q } = w;
  const y = quantized2d(inputs, { q, hasBias: !!bias, hasLora: !!lora, hasMask: !!lora?.dropoutMask, scale: lora?.scale ?? 1 })[0] as Tensor;
  return reshape(y, [...lead, w.n]);
}
