/**
 * Attune's training engine: trace with symbolic tensors, differentiate, run on onnxruntime-node.
 *
 * ```ts
 * import { Graph, ops, gradients, EngineSession } from '../engine/index.js';
 * const g = new Graph();
 * const x = g.input('x', 'float32', ['batch', 64]);
 * const w = g.parameter('w', 'float32', [64, 8]);
 * const loss = ops.mean(ops.mul(ops.matmul(x, w), ops.matmul(x, w)));
 * const program = g.compile({ outputs: { loss, ...gradients(loss, [w]) } });
 * const session = await EngineSession.create(program);
 * const out = await session.run({ x: xs, w: ws }, { dims: { batch: 2 } }); // out.loss, out.w (dL/dw)
 * ```
 *
 * - Inputs are fed per run; parameters are fed per run and can be differentiated; initializers
 *   are frozen and live in the model (file-backed ones are external data, never read into JS).
 * - `gradients(loss, params)` returns a gradient tensor per parameter name.
 * - `defineOp` declares an op with a hand-written backward (custom VJP); its forward and backward
 *   may emit raw ONNX/contrib nodes with `graph.node(opType, inputs, attrs, { domain, outputs })`.
 * - `gradcheck` compares autodiff gradients with float64 central differences.
 */
import * as ops from './ops/index.js';

export { ops };
export { Graph } from './graph.js';
export type { InitializerData, NodeOptions, NodeRecord } from './graph.js';
export { Tensor } from './tensor.js';
export type { TensorKind } from './tensor.js';
export type { DType, AnyTypedArray } from './dtype.js';
export type { Dim, Shape } from './shape.js';
export { formatShape } from './shape.js';
export { attr } from './attributes.js';
export type { AttrInput, Attrs, TypedAttr } from './attributes.js';
export { registerOp } from './op-registry.js';
export type { OpRule, ShapeRule, ValueSpec, VjpContext, VjpRule } from './op-registry.js';
export { gradients, stopGradient } from './autodiff.js';
export { checkpoint } from './checkpoint.js';
export { defineOp } from './custom-op.js';
export type { CustomOp, CustomOpDefinition, CustomVjpContext, CustomForwardResult } from './custom-op.js';
export type { CompileOptions, IOSpec } from './compile.js';
export { Program } from './program.js';
export type { StandaloneOptions, StandaloneResult } from './onnx/standalone.js';
export { EngineSession, SessionCache, PREPACK_LIMIT_BYTES, setDefaultExecutionProvider, defaultExecutionProvider, setFlushDenormals } from './session.js';
export { selectDevice, DEVICES } from './device.js';
export type { ExecutionProvider, Feed, RunOptions, RunOutput, SessionOptions } from './session.js';
export { gradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckResult } from './gradcheck.js';
// Heavy primitives with hand-written backward rules, and the optimizers that step their parameters.
export * from './primitives/index.js';
export * from './optim/index.js';
