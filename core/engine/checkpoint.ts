/**
 * Activation recomputation ("gradient checkpointing"): a block whose intermediate activations are
 * not kept for the backward. The forward runs as plain nodes off the tape, so every intermediate
 * dies as soon as the forward has used it; only the block's inputs stay alive. The backward
 * traces the block a second time and differentiates that copy, seeded with the output's gradient.
 *
 * Two things keep onnxruntime from undoing it. The second copy starts from `x + 0·max(dOut)`, a
 * data dependency on the incoming gradient: without it onnxruntime may run the copy early (it
 * depends only on x) and hold its activations all along, and its common-subexpression pass
 * would merge the copy into the forward. And the zero is computed at run time (`Mul` by 0 of a
 * runtime value), which no constant folding removes.
 */
import { backpropagate } from './autodiff.js';
import { isFloat } from './dtype.js';
import { zerosLike } from './ops/grad-util.js';
import { after } from './ops/sequence.js';
import type { Tensor } from './tensor.js';

/**
 * `block(inputs)` with recomputation in the backward. Gradients reach `inputs` and every tensor
 * the block captures that needs one (LoRA factors, trainable weights): they are found by walking
 * the nodes the block emits. The block must be a pure function of its inputs and captured tensors
 * (dropout masks fed as inputs are fine; in-graph random ops would draw again).
 */
export function checkpoint(block: (inputs: readonly Tensor[]) => Tensor, inputs: readonly Tensor[]): Tensor {
  const first = inputs[0];
  if (!first) throw new Error('engine: checkpoint needs at least one input');
  const g = first.graph;
  if (!g.tapeActive) return block(inputs);
  const start = g.nodes.length;
  const out = g.withTapeSuspended(() => block(inputs));
  const captured = [...g.gradientInputsSince(start)].filter((t) => !inputs.includes(t));
  if (captured.length === 0 && !inputs.some((t) => t.requiresGrad)) return out;

  const tapeInputs = [...inputs, ...captured];
  const alias = g.aliasForTape(out, isFloat(out.dtype));
  g.recordTape({
    label: `checkpoint -> ${alias.name}`,
    inputs: tapeInputs,
    outputs: [alias],
    attrs: {},
    backward: (ctx) => {
      const dOut = ctx.outputGrads[0];
      if (!dOut) return tapeInputs.map((t, k) => (ctx.needsGrad[k] ? zerosLike(t) : undefined));
      const { result: again, entries } = g.recordSegment(() => block(inputs.map((x) => (isFloat(x.dtype) ? after(x, [dOut]) : x))));
      // The anchor's Add is on the segment, so differentiating with respect to the original inputs
      // passes through it; captured tensors are used directly by the copy.
      const wrt = tapeInputs.filter((_, k) => ctx.needsGrad[k]);
      const grads = backpropagate(entries, new Map([[again, dOut]]), wrt);
      // The captured tensors' gradients (LoRA factors) are graph outputs nothing else waits for,
      // so onnxruntime's order may compute them last, holding every layer's recomputed
      // activations until then. Make the gradient that flows on depend on them.
      const capturedGrads = grads.filter((_, k) => !inputs.includes(wrt[k] as Tensor));
      let next = 0;
      return tapeInputs.map((t, k) => {
        if (!ctx.needsGrad[k]) return undefined;
        const grad = grads[next++] as Tensor;
        return inputs.includes(t) ? after(grad, capturedGrads) : grad;
      });
    },
  });
  return alias;
}
