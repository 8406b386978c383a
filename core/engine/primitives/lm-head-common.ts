/** What the fused lm_head primitives share: argument checks, logits, target masks, row scatters. */
import type { Tensor } from '../tensor.js';
import type { Dim } from '../shape.js';
import { cast, equal, logicalNot, where } from '../ops/elementwise.js';
import { squeeze, unsqueeze } from '../ops/shape-ops.js';
import { dim, gemm, requireDim, requireFloat, requireRank, requireSameDtype } from './util.js';

/** Targets equal to this are excluded (PyTorch/HF convention). */
import { IGNORE_INDEX } from '../../base/ignore-index.js';

/** hidden [T, H] and an lm_head weight [V, H] (HF layout, possibly the tied embedding). */
export function checkHead(op: string, hidden: Tensor, weight: Tensor, hiddenRole = 'hidden'): void {
  requireFloat(op, hiddenRole, hidden);
  requireRank(op, hiddenRole, hidden, 2, '[T, H]: flatten batch and sequence first');
  requireRank(op, 'weight', weight, 2, '[V, H], the Hugging Face lm_head layout');
  requireSameDtype(op, hidden, { weight });
  requireDim(op, `weight ${weight.describe()} dim 1 (H)`, dim(weight, 1), dim(hidden, 1), `${hiddenRole}'s H (${hidden.describe()})`);
}

export function checkTargets(op: string, role: string, targets: Tensor, hidden: Tensor): void {
  if (targets.dtype !== 'int64') throw new Error(`primitives.${op}: ${role} ${targets.describe()} must be int64 token ids`);
  requireRank(op, role, targets, 1, '[T]');
  requireDim(op, `${role} ${targets.describe()} length`, dim(targets, 0), dim(hidden, 0), `hidden's T (${hidden.describe()})`);
}

/** [T, V] logits = hidden · weightᵀ. */
export function logits(hidden: Tensor, weight: Tensor): Tensor {
  return gemm(hidden, weight, { transB: true });
}

/** valid [T] as 0/1 floats, and the targets with ignored positions replaced by 0 so gathers stay in range. */
export function targetMask(targets: Tensor, dtype: Tensor['dtype']): { valid: Tensor; safe: Tensor } {
  const ok = logicalNot(equal(targets, IGNORE_INDEX));
  return { valid: cast(ok, dtype), safe: where(ok, targets, 0) };
}

/** x[t, safe[t]] for x [T, V] -> [T]. */
export function pickAtTargets(x: Tensor, safe: Tensor): Tensor {
  const picked = x.graph.node('GatherElements', [x, unsqueeze(safe, -1)], { axis: 1 })[0] as Tensor;
  return squeeze(picked, -1);
}

/** x with values [T, 1] added at column safe[t] of each row (a one-hot term without a one-hot). */
export function addAtTargets(x: Tensor, safe: Tensor, values: Tensor): Tensor {
  return x.graph.node('ScatterElements', [x, unsqueeze(safe, -1), values], { axis: 1, reduction: 'add' }, { outputs: [{ dtype: x.dtype, shape: x.shape }] })[0] as Tensor;
}

/** Rows weight[safe[t]] -> [T, H]. */
export function targetRows(weight: Tensor, safe: Tensor): Tensor {
  return weight.graph.node('Gather', [weight, safe], { axis: 0 })[0] as Tensor;
}

let chunkSymbols = 0;

/**
 * `x` [T, …] cut into n consecutive row blocks of ⌊T/n⌋ or ⌈T/n⌉ rows, bounds computed at run
 * time from T (blocks are empty when T < n). `take` cuts another [T, …] tensor the same way.
 */
export function rowChunks(x: Tensor, n: number): { rows: Tensor; take: (t: Tensor) => Tensor }[] {
  if (n === 1) return [{ rows: x, take: (t) => t }];
  const g = x.graph;
  const total = g.dimTensor(x.shape[0] as Dim);
  const int = (v: number): Tensor => g.constant([v], 'int64', [1]);
  const bound = (k: number): Tensor => (k === 0 ? int(0) : (g.node('Div', [g.node('Mul', [total, int(k)])[0] as Tensor, int(n)])[0] as Tensor));
  const id = chunkSymbols++;
  return Array.from({ length: n }, (_, k) => {
    const [start, end] = [bound(k), k === n - 1 ? total : bound(k + 1)];
    const symbol = `lm_rows_${id}_${k}`;
    const take = (t: Tensor): Tensor => g.node('Slice', [t, start, end, int(0)], {}, { outputs: [{ dtype: t.dtype, shape: [symbol, ...t.shape.slice(1)] }] })[0] as Tensor;
    return { rows: take(x), take };
  });
}
