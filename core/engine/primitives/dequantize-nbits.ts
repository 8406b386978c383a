/**
 * A MatMulNBits weight dequantized inside the graph, [n, k] float32: the exact values MatMulNBits
 * multiplies by (codes and zero points unpacked low nibble first, (q − zp) · scale). The backward
 * of a quantized linear needs dY·W, which MatMulNBits (A·Wᵀ only) cannot compute.
 *
 * `anchor` is any runtime tensor: a zero derived from it enters the chain first, so onnxruntime's
 * constant folding cannot turn the chain into a stored fp32 copy of every weight at session
 * creation — which would undo what quantizing saved.
 */
import type { Tensor } from '../tensor.js';
import { cast, mul } from '../ops/elementwise.js';
import { reshape, slice } from '../ops/shape-ops.js';
import type { QuantizedWeight } from './quantized-linear.js';

export function dequantizeInGraph(w: QuantizedWeight, anchor: Tensor): Tensor {
  const g = anchor.graph;
  const { n, k, bits, blockSize } = w;
  const kb = Math.ceil(k / blockSize);
  const node = (op: string, inputs: Tensor[], dtype: 'uint8' | 'float32', shape: number[], attrs = {}): Tensor =>
    g.node(op, inputs, attrs, { outputs: [{ dtype, shape }] })[0] as Tensor;
  const ints = (values: number[]): Tensor => g.constant(values, 'int64', [values.length]);
  // 0 as uint8 from the runtime anchor (its first element times 0; a NaN there casts to 0 too).
  const first = slice(reshape(anchor, [-1]), { axis: 0, start: 0, end: 1 });
  const zero = cast(mul(first, 0), 'uint8');
  const unpack = (packed: Tensor, rows: number, bytes: number): Tensor => {
    const live = node('BitwiseOr', [packed, zero], 'uint8', [rows, bytes]);
    const low = node('Unsqueeze', [node('BitwiseAnd', [live, g.constant([15], 'uint8', [1])], 'uint8', [rows, bytes]), ints([2])], 'uint8', [rows, bytes, 1]);
    const high = node('Unsqueeze', [node('BitShift', [live, g.constant([4], 'uint8', [1])], 'uint8', [rows, bytes], { direction: 'RIGHT' }), ints([2])], 'uint8', [rows, bytes, 1]);
    return node('Cast', [node('Concat', [low, high], 'uint8', [rows, bytes, 2], { axis: 2 })], 'float32', [rows, bytes, 2], { to: 1 });
  };
  let codes: Tensor;
  let zeroPoints: Tensor;
  if (bits === 4) {
    codes = node('Reshape', [unpack(node('Reshape', [w.packed, ints([n, (kb * blockSize) / 2])], 'uint8', [n, (kb * blockSize) / 2]), n, (kb * blockSize) / 2), ints([n, kb, blockSize])], 'float32', [n, kb, blockSize]);
    const zpBytes = Math.ceil(kb / 2);
    const zp = node('Reshape', [unpack(node('Reshape', [w.zeroPoints, ints([n, zpBytes])], 'uint8', [n, zpBytes]), n, zpBytes), ints([n, zpBytes * 2])], 'float32', [n, zpBytes * 2]);
    // An odd block count leaves one padding nibble per row.
    zeroPoints = node('Unsqueeze', [node('Slice', [zp, ints([0]), ints([kb]), ints([1])], 'float32', [n, kb]), ints([2])], 'float32', [n, kb, 1]);
  } else {
    codes = node('Cast', [node('BitwiseOr', [w.packed, zero], 'uint8', [n, kb, blockSize])], 'float32', [n, kb, blockSize], { to: 1 });
    zeroPoints = node('Cast', [node('Reshape', [w.zeroPoints, ints([n, kb, 1])], 'uint8', [n, kb, 1])], 'float32', [n, kb, 1], { to: 1 });
  }
  const scales = node('Reshape', [w.scales, ints([n, kb, 1])], 'float32', [n, kb, 1]);
  const values = node('Mul', [node('Sub', [codes, zeroPoints], 'float32', [n, kb, blockSize]), scales], 'float32', [n, kb, blockSize]);
  const flat = node('Reshape', [values, ints([n, kb * blockSize])], 'float32', [n, kb * blockSize]);
  return kb * blockSize === k ? flat : node('Slice', [flat, ints([0]), ints([k]), ints([1])], 'float32', [n, k]);
}
