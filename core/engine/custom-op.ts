/** User-defined differentiable ops: a forward built from other ops plus a hand-written backward. */
import type { VjpContext } from './op-registry.js';
import type { Tensor } from './tensor.js';
import { isFloat } from './dtype.js';
import { zerosLike } from './ops/grad-util.js';

/** What a custom backward sees: the VjpContext fields plus the op's own attrs and saved tensors. */
export interface CustomVjpContext<A> extends Omit<VjpContext, 'attrs'> {
  readonly attrs: A;
  readonly saved: Readonly<Record<string, Tensor>>;
}

export type CustomForwardResult = Tensor | readonly Tensor[] | { readonly outputs: Tensor | readonly Tensor[]; readonly saved?: Readonly<Record<string, Tensor>> };

export interface CustomOpDefinition<A> {
  /** Shown in errors and tape labels. */
  readonly name: string;
  /** Builds the outputs from `inputs` with ops or raw graph.node calls; may save intermediates for backward. */
  forward(inputs: readonly Tensor[], attrs: A): CustomForwardResult;
  /** Returns one gradient per input (undefined where ctx.needsGrad[i] is false), each shaped like its input. */
  backward(ctx: CustomVjpContext<A>): readonly (Tensor | undefined)[];
}

export type CustomOp<A> = (inputs: readonly Tensor[], attrs: A) => Tensor[];

/**
 * Defines a differentiable op with a hand-written backward (a custom VJP). Autodiff treats each
 * application as one step: the nodes the forward emits are run, but never differentiated.
 * Every tensor that should receive a gradient must be passed in `inputs` (a captured parameter
 * would silently get none, so it is an error).
 *
 * @example Scaled square y = s·x², with dy/dx = 2·s·x written by hand:
 * ```ts
 * const scaledSquare = defineOp<{ s: number }>({
 *   name: 'scaledSquare',
 *   forward: ([x], { s }) => ({ outputs: ops.mul(ops.mul(x!, x!), s), saved: { x: x! } }),
 *   backward: (ctx) => [ops.mul(ctx.gradOrZeros(0), ops.mul(ctx.saved.x!, 2 * ctx.attrs.s))],
 * });
 * const [y] = scaledSquare([w], { s: 3 });
 * ```
 * Forward and backward may emit raw ONNX nodes, e.g.
 * `g.node('SimplifiedLayerNormalization', [x, w], { axis: -1, epsilon: 1e-6 }, { outputs: 2 })`
 * returns [y, inv_std] with shapes inferred.
 */
export function defineOp<A = Record<string, never>>(def: CustomOpDefinition<A>): CustomOp<A> {
  return (inputs, attrs) => {
    const first = inputs[0];
    if (!first) throw new Error(`engine: custom op '${def.name}' needs at least one input`);
    const g = first.graph;
    for (const t of inputs) if (t.graph !== g) throw new Error(`engine: custom op '${def.name}': input ${t.describe()} belongs to a different Graph`);
    const start = g.nodes.length;
    const res = g.withTapeSuspended(() => def.forward(inputs, attrs));
    const isResultObject = !(Array.isArray(res) || 'graph' in (res as object));
    const rawOut = isResultObject ? (res as { outputs: Tensor | readonly Tensor[] }).outputs : (res as Tensor | readonly Tensor[]);
    const inner: Tensor[] = Array.isArray(rawOut) ? [...(rawOut as readonly Tensor[])] : [rawOut as Tensor];
    const saved = isResultObject ? ((res as { saved?: Readonly<Record<string, Tensor>> }).saved ?? {}) : {};

    for (const t of g.gradientInputsSince(start)) {
      if (!inputs.includes(t)) throw new Error(`engine: custom op '${def.name}': forward uses ${t.describe()}, which needs gradients but is not one of its inputs; pass it in inputs`);
    }
    if (!g.tapeActive || !inputs.some((t) => t.requiresGrad)) return inner;

    const outputs = inner.map((t) => g.aliasForTape(t, isFloat(t.dtype)));
    g.recordTape({
      label: `${def.name} -> ${outputs.map((o) => o.name).join(', ')}`,
      inputs,
      outputs,
      attrs: {},
      backward: (ctx) =>
        [
          ...def.backward({
            inputs: ctx.inputs,
            outputs: ctx.outputs,
            outputGrads: ctx.outputGrads,
            needsGrad: ctx.needsGrad,
            gradOrZeros: (k) => ctx.outputGrads[k] ?? zerosLike(ctx.outputs[k] as Tensor),
            attrs,
            saved,
          }),
        ],
    });
    return outputs;
  };
}
