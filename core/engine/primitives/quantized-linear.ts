/**
 * y = x·dequant(W)ᵀ + b + scale·((x·Aᵀ)·Bᵀ) with a block-quantized frozen W (onnxruntime's
 * MatMulNBits, whose weights onnxruntime prepacks once per session) and an fp32 LoRA branch.
 * Forward only: quantized weights serve generation (rollouts, serving), where decode is bound by
 * reading the weights; training through them is not built yet, and asking for a gradient says so.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { reshape } from '../ops/shape-ops.js';
import { shapeProduct } from '../shape.js';
import type { LoraAdapter } from './linear.js';
import { fail, gemm, lastDim, requireRank } from './util.js';

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
  readonly scale: number;
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
    const bias = at.hasBias ? inputs[4] : undefined;
    let y = x!.graph.node('MatMulNBits', [x, packed, scales, zeroPoints], nbits, { domain: 'com.microsoft' })[0] as Tensor;
    if (bias) y = x!.graph.node('Add', [y, bias])[0] as Tensor;
    if (!at.hasLora) return y;
    const first = at.hasBias ? 5 : 4;
    const z = gemm(x!, inputs[first] as Tensor, { transB: true });
    return gemm(z, inputs[first + 1] as Tensor, { transB: true, alpha: at.scale, c: y });
  },
  backward: () => {
    throw new Error('primitives.quantizedLinear: quantized weights are forward-only (generation); train on the fp32 weights');
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
    if (lora.dropoutMask) fail(op, 'LoRA dropout is a training-time mask; quantized weights serve generation only');
  }
  const lead = x.shape.slice(0, -1);
  const inputs: Tensor[] = [reshape(x, [shapeProduct(lead), w.k]), w.packed, w.scales, w.zeroPoints];
  if (bias) inputs.push(bias);
  if (lora) inputs.push(lora.a, lora.b);
  const { packed: _p, scales: _s, zeroPoints: _z, ...q } = w;
  const y = quantized2d(inputs, { q, hasBias: !!bias, hasLora: !!lora, scale: lora?.scale ?? 1 })[0] as Tensor;
  return reshape(y, [...lead, w.n]);
}
