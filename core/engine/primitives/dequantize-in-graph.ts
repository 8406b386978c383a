/**
 * A quantized weight dequantized inside the graph, [n, k] float32. MatMulNBits weights give the
 * exact values MatMulNBits multiplies by (codes and zero points unpacked low nibble first,
 * (q − zp) · scale): the backward of a quantized linear needs dY·W, which MatMulNBits (A·Wᵀ only)
 * cannot compute. NF4 weights give table[code] · absmax, with a double-quantized absmax first
 * rebuilt as (q · scale) + mean.
 *
 * `anchor` is any runtime tensor: a zero derived from it enters the chain first, so onnxruntime's
 * constant folding cannot turn the chain into a stored fp32 copy of every weight at session
 * creation — which would undo what quantizing saved.
 */
import type { Tensor } from '../tensor.js';
import { cast, mul } from '../ops/elementwise.js';
import { reshape, slice } from '../ops/shape-ops.js';
import type { NBitsWeight, NF4Weight, QuantizedWeight } from './quantized-linear.js';

/** bitsandbytes' NF4 code book (float32 values): quantiles of a normal distribution scaled to [−1, 1]. */
export const NF4_TABLE: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];
/** Absmax values per double-quantization group (QLoRA's 256). */
export const DOUBLE_QUANT_GROUP = 256;

export function dequantizeInGraph(w: QuantizedWeight, anchor: Tensor): Tensor {
  return w.format === 'nbits' ? dequantizeNBitsInGraph(w, anchor) : dequantizeNF4InGraph(w, anchor);
}

function dequantizeNBitsInGraph(w: NBitsWeight, anchor: Tensor): Tensor {
  const { n, k, bits, blockSize } = w;
  const kb = Math.ceil(k / blockSize);
  const { node, ints, zero, unpack } = builder(anchor);
  let codes: Tensor;
  let zeroPoints: Tensor;
  if (bits === 4) {
    codes = node('Reshape', [unpack(node('Reshape', [w.packed, ints([n, (kb * blockSize) / 2])], 'uint8', [n, (kb * blockSize) / 2]), n, (kb * blockSize) / 2), ints([n, kb, blockSize])], 'float32', [n, kb, blockSize]);
    const zpBytes = Math.ceil(kb / 2);
    const zp = node('Reshape', [unpack(node('Reshape', [w.zeroPoints, ints([n, zpBytes])], 'uint8', [n, zpBytes]), n, zpBytes), ints([n, zpBytes * 2])], 'float32', [n, zpBytes * 2]);
    // An odd block count leaves one padding nibble per row.
    zeroPoints = node('Unsqueeze', [node('Slice', [zp, ints([0]), ints([kb]), ints([1])], 'float32', [n, kb]), ints([2])], 'float32', [n, kb, 1]);
  } else {
    codes = node('Cast', [node('BitwiseOr', [w.packed, zero()], 'uint8', [n, kb, blockSize])], 'float32', [n, kb, blockSize], { to: 1 });
    zeroPoints = node('Cast', [node('Reshape', [w.zeroPoints, ints([n, kb, 1])], 'uint8', [n, kb, 1])], 'float32', [n, kb, 1], { to: 1 });
  }
  const scales = node('Reshape', [w.scales, ints([n, kb, 1])], 'float32', [n, kb, 1]);
  const values = node('Mul', [node('Sub', [codes, zeroPoints], 'float32', [n, kb, blockSize]), scales], 'float32', [n, kb, blockSize]);
  const flat = node('Reshape', [values, ints([n, kb * blockSize])], 'float32', [n, kb * blockSize]);
  return kb * blockSize === k ? flat : node('Slice', [flat, ints([0]), ints([k]), ints([1])], 'float32', [n, k]);
}

function dequantizeNF4InGraph(w: NF4Weight, anchor: Tensor): Tensor {
  const g = anchor.graph;
  const { n, k, blockSize } = w;
  const kb = Math.ceil(k / blockSize);
  const { node, ints, unpack } = builder(anchor);
  const rowBytes = (kb * blockSize) / 2;
  const codes = node('Cast', [unpack(node('Reshape', [w.codes, ints([n, rowBytes])], 'uint8', [n, rowBytes]), n, rowBytes, 'int32')], 'int32', [n, rowBytes, 2], { to: 6 });
  const values = node('Gather', [g.constant(NF4_TABLE, 'float32', [16]), codes], 'float32', [n, rowBytes, 2]);
  let absmax: Tensor;
  if ('q' in w.absmax) {
    const groups = w.absmax.scales.shape[0] as number;
    const q = node('Cast', [node('Reshape', [w.absmax.q, ints([groups, DOUBLE_QUANT_GROUP])], 'int8', [groups, DOUBLE_QUANT_GROUP])], 'float32', [groups, DOUBLE_QUANT_GROUP], { to: 1 });
    const scaled = node('Mul', [q, node('Reshape', [w.absmax.scales, ints([groups, 1])], 'float32', [groups, 1])], 'float32', [groups, DOUBLE_QUANT_GROUP]);
    const all = node('Add', [node('Reshape', [scaled, ints([groups * DOUBLE_QUANT_GROUP])], 'float32', [groups * DOUBLE_QUANT_GROUP]), g.constant([w.absmax.mean], 'float32', [1])], 'float32', [groups * DOUBLE_QUANT_GROUP]);
    absmax = node('Slice', [all, ints([0]), ints([n * kb]), ints([0])], 'float32', [n * kb]);
  } else absmax = w.absmax;
  const blocks = node('Reshape', [values, ints([n, kb, blockSize])], 'float32', [n, kb, blockSize]);
  const scaled = node('Mul', [blocks, node('Reshape', [absmax, ints([n, kb, 1])], 'float32', [n, kb, 1])], 'float32', [n, kb, blockSize]);
  const flat = node('Reshape', [scaled, ints([n, kb * blockSize])], 'float32', [n, kb * blockSize]);
  return kb * blockSize === k ? flat : node('Slice', [flat, ints([0]), ints([k]), ints([1])], 'float32', [n, k]);
}

/** Raw-node helpers shared by both formats, around one runtime anchor. */
function builder(anchor: Tensor) {
  const g = anchor.graph;
  const node = (op: string, inputs: Tensor[], dtype: 'uint8' | 'int8' | 'float32' | 'int32', shape: number[], attrs = {}): Tensor =>
    g.node(op, inputs, attrs, { outputs: [{ dtype, shape }] })[0] as Tensor;
  const ints = (values: number[]): Tensor => g.constant(values, 'int64', [values.length]);
  let zeroValue: Tensor | undefined;
  // 0 as uint8 from the runtime anchor (its first element times 0; a NaN there casts to 0 too).
  const zero = (): Tensor => (zeroValue ??= cast(mul(slice(reshape(anchor, [-1]), { axis: 0, start: 0, end: 1 }), 0), 'uint8'));
  /** Packed bytes [rows, bytes] → codes [rows, bytes, 2], low nibble first, as float32 (or kept uint8 for `int32` callers to cast). */
  const unpack = (packed: Tensor, rows: number, bytes: number, to: 'float32' | 'int32' = 'float32'): Tensor => {
    const live = node('BitwiseOr', [packed, zero()], 'uint8', [rows, bytes]);
    const low = node('Unsqueeze', [node('BitwiseAnd', [live, g.constant([15], 'uint8', [1])], 'uint8', [rows, bytes]), ints([2])], 'uint8', [rows, bytes, 1]);
    const high = node('Unsqueeze', [node('BitShift', [live, g.constant([4], 'uint8', [1])], 'uint8', [rows, bytes], { direction: 'RIGHT' }), ints([2])], 'uint8', [rows, bytes, 1]);
    const both = node('Concat', [low, high], 'uint8', [rows, bytes, 2], { axis: 2 });
    return to === 'float32' ? node('Cast', [both], 'float32', [rows, bytes, 2], { to: 1 }) : both;
  };
  return { node, ints, zero, unpack };
}
