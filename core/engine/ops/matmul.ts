/** Batched, broadcasting matrix multiply and its gradient. */
import { isFloat } from '../dtype.js';
import { registerOp } from '../op-registry.js';
import type { Dim } from '../shape.js';
import { dimEq, formatShape, shapeProduct } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastAll, need, sameDtypes } from './rules-common.js';
import { emit } from './util.js';
import { sumToShape } from './grad-util.js';
import { reshape, squeeze, transposeLast2, unsqueeze } from './shape-ops.js';

/**
 * a @ b with numpy semantics: [..., M, K] @ [..., K, N] -> [..., M, N], batch dims broadcast;
 * a 1-D operand is treated as a row (a) or column (b) vector and that axis dropped from the result.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) throw new Error(`engine: matmul: operands must have rank >= 1, got ${a.describe()} and ${b.describe()}`);
  const a2 = a.rank === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.rank === 1 ? unsqueeze(b, 1) : b;
  let y = emit(a.graph, 'MatMul', [a2, b2]);
  if (a.rank === 1) y = squeeze(y, y.rank - 2);
  if (b.rank === 1) y = squeeze(y, y.rank - 1);
  return y;
}

registerOp('MatMul', {
  infer: (inputs) => {
    const a = need(inputs, 0);
    const b = need(inputs, 1);
    const dtype = sameDtypes([a, b]);
    if (!isFloat(dtype)) throw new Error(`needs float operands, got ${dtype}`);
    if (a.rank < 2 || b.rank < 2) throw new Error('operands must have rank >= 2 (ops.matmul lifts vectors)');
    const k1 = a.shape[a.rank - 1] as Dim;
    const k2 = b.shape[b.rank - 2] as Dim;
    if (!dimEq(k1, k2)) throw new Error(`inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} contracts ${String(k1)} with ${String(k2)}`);
    const batch = broadcastAll([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
    return [{ dtype, shape: [...batch, a.shape[a.rank - 2] as Dim, b.shape[b.rank - 1] as Dim] }];
  },
  vjp: (c) => {
    const a = need(c.inputs, 0);
    const b = need(c.inputs, 1);
    const g = c.gradOrZeros(0);
    let ga: Tensor | undefined;
    let gb: Tensor | undefined;
    if (c.needsGrad[0]) ga = sumToShape(emit(a.graph, 'MatMul', [g, transposeLast2(b)]), a.shape);
    if (c.needsGrad[1]) {
      if (b.rank === 2 && a.rank > 2) {
        // Shared weight: fold the batch into rows so dW is one GEMM, not a batch of them summed.
        const rows = shapeProduct(a.shape.slice(0, -1));
        const a2 = reshape(a, [rows, a.shape[a.rank - 1] as Dim]);
        const g2 = reshape(g, [rows, g.shape[g.rank - 1] as Dim]);
        gb = emit(a.graph, 'MatMul', [transposeLast2(a2), g2]);
      } else {
        gb = sumToShape(emit(a.graph, 'MatMul', [transposeLast2(a), g]), b.shape);
      }
    }
    return [ga, gb];
  },
});
