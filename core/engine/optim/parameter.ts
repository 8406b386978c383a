/**
 * Trainable parameters as the optimizers see them: named Float32Arrays that live in JS
 * memory between onnxruntime session runs, and the gradients a run hands back by name.
 */
import { AttuneError } from '../../base/errors.js';

export interface Parameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Gradients of one micro-batch or one accumulated step, keyed by parameter name. */
export type GradientMap = Readonly<Record<string, Float32Array>>;

export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Rejects duplicate names and shapes that disagree with the data length, before any state is allocated. */
export function validateParameters(params: readonly Parameter[], owner: string): void {
  if (params.length === 0) {
    throw new AttuneError(`${owner}: no parameters to optimize.`, 'Mark at least one tensor trainable (LoRA, heads, or full fine-tuning).');
  }
  const seen = new Set<string>();
  for (const param of params) {
    if (seen.has(param.name)) {
      throw new AttuneError(`${owner}: parameter '${param.name}' is listed twice.`, 'Each trainable tensor must appear once.');
    }
    seen.add(param.name);
    for (const dim of param.shape) {
      if (!Number.isInteger(dim) || dim < 0) {
        throw new AttuneError(`${owner}: parameter '${param.name}' has invalid shape ${formatShape(param.shape)}; dimensions must be non-negative integers.`);
      }
    }
    const expected = shapeSize(param.shape);
    if (param.data.length !== expected) {
      throw new AttuneError(
        `${owner}: parameter '${param.name}' has shape ${formatShape(param.shape)} (${expected} values) but its data holds ${param.data.length}.`,
      );
    }
  }
}

/** Looks up a parameter's gradient and checks its length; `step` is the update being computed. */
export function gradientFor(grads: GradientMap, param: Parameter, owner: string): Float32Array {
  const grad = grads[param.name];
  if (grad === undefined) {
    const known = Object.keys(grads);
    throw new AttuneError(
      `${owner}: no gradient for parameter '${param.name}' (the gradient map has ${known.length} entries${known.length > 0 ? `, e.g. '${known.slice(0, 3).join("', '")}'` : ''}).`,
      'The session must output one gradient per trainable parameter, keyed by the parameter name.',
    );
  }
  if (grad.length !== param.data.length) {
    throw new AttuneError(
      `${owner}: gradient for '${param.name}' has ${grad.length} values but the parameter has ${param.data.length} (shape ${formatShape(param.shape)}).`,
    );
  }
  return grad;
}
