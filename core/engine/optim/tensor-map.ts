/**
 * The interchange format for checkpoints: named tensors as a safetensors writer stores them
 * (dtype names are the safetensors ones). Readers here validate every name and shape.
 */
import { AttuneError } from '../../base/errors.js';
import { formatShape, shapeSize } from './parameter.js';

export type TensorEntry =
  | { readonly dtype: 'F32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'I64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

export type TensorMap = Readonly<Record<string, TensorEntry>>;

/**
 * What restores accept: any named tensors with a dtype string, e.g. the tensors a safetensors
 * reader returns. Dtype and array type are checked at run time.
 */
export interface StoredTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: ArrayBufferView;
}
export type StoredTensorMap = Readonly<Record<string, StoredTensor>>;

export class StateRestoreError extends AttuneError {
  override name = 'StateRestoreError';
}

const RESTORE_HINT =
  'The checkpoint was written for a different model, adapter or optimizer configuration: resume with the same trainable parameters and optimizer it was saved with.';

export function f32Entry(shape: readonly number[], data: Float32Array): TensorEntry {
  return { dtype: 'F32', shape: [...shape], data: data.slice() };
}

export function stepEntry(step: number): TensorEntry {
  return { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(step)) };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** The F32 tensor `key`, checked against the expected shape; `what` names the checkpoint in errors. */
export function readF32(map: StoredTensorMap, key: string, shape: readonly number[], what: string): Float32Array {
  const entry = map[key];
  if (entry === undefined) {
    throw new StateRestoreError(`${what}: tensor '${key}' is missing (expected F32 ${formatShape(shape)}).`, RESTORE_HINT);
  }
  if (entry.dtype !== 'F32' || !(entry.data instanceof Float32Array)) {
    throw new StateRestoreError(`${what}: tensor '${key}' has dtype ${entry.dtype} (${entry.data.constructor.name}), expected F32 (Float32Array).`, RESTORE_HINT);
  }
  if (!sameShape(entry.shape, shape)) {
    throw new StateRestoreError(
      `${what}: tensor '${key}' has shape ${formatShape(entry.shape)}, expected ${formatShape(shape)}.`,
      RESTORE_HINT,
    );
  }
  if (entry.data.length !== shapeSize(shape)) {
    throw new StateRestoreError(`${what}: tensor '${key}' holds ${entry.data.length} values but its shape ${formatShape(shape)} needs ${shapeSize(shape)}.`);
  }
  return entry.data;
}

/** The scalar I64 step counter stored under `key`. */
export function readStep(map: StoredTensorMap, key: string, what: string): number {
  const entry = map[key];
  if (entry === undefined) throw new StateRestoreError(`${what}: tensor '${key}' (the step counter) is missing.`, RESTORE_HINT);
  if (entry.dtype !== 'I64' || !(entry.data instanceof BigInt64Array) || entry.data.length !== 1) {
    throw new StateRestoreError(`${what}: tensor '${key}' must be a scalar I64, got ${entry.dtype} ${formatShape(entry.shape)}.`);
  }
  const step = Number(entry.data[0]);
  if (!Number.isSafeInteger(step) || step < 0) throw new StateRestoreError(`${what}: step counter '${key}' is ${step}, expected an integer >= 0.`);
  return step;
}

/** Rejects tensors the reader did not ask for: a renamed or dropped parameter must not pass silently. */
export function rejectUnexpected(map: StoredTensorMap, expected: ReadonlySet<string>, what: string): void {
  const extra = Object.keys(map).filter((key) => !expected.has(key));
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).map((k) => `'${k}'`).join(', ');
    throw new StateRestoreError(
      `${what}: ${extra.length} unexpected tensor(s): ${shown}${extra.length > 5 ? ', ...' : ''}.`,
      RESTORE_HINT,
    );
  }
}
