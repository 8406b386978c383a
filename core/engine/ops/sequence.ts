/**
 * Execution-order hints for onnxruntime. Its sequential executor runs nodes in a depth-first order
 * from the graph outputs, so an output nothing else consumes (a parameter gradient, a logged loss)
 * may run last, keeping its inputs alive for the whole run. `after` adds a data dependency
 * without changing values.
 */
import type { Tensor } from '../tensor.js';
import { add, mul } from './elementwise.js';
import { sum } from './reduce.js';

/**
 * x, computed only once every tensor in `deps` is: x + 0·Σ sum(dep). The zero is a runtime
 * value, which no constant folding removes; a sum, not a max, so an empty dep gives 0, not −∞.
 * A non-finite dep makes x non-finite (0·∞ = NaN) — callers use it where such a dep already
 * ruins the step.
 */
export function after(x: Tensor, deps: readonly Tensor[]): Tensor {
  if (deps.length === 0) return x;
  const total = deps.map((d) => (d.rank === 0 ? d : sum(d))).reduce((a, b) => add(a, b));
  return add(x, mul(total, 0));
}
