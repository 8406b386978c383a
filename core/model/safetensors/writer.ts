/**
 * Writes a .safetensors file atomically (temp file in the same directory, then rename), so a
 * crash never leaves a half-written checkpoint under the final name.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DTYPE_ITEM_SIZE, elementCount, expectedArrayName, isRawArrayOf } from './dtype.js';
import type { RawTensorArray, SafetensorsDType } from './dtype.js';
import { SafetensorsError } from './errors.js';

export interface TensorToWrite {
  dtype: SafetensorsDType;
  shape: readonly number[];
  /** Raw values in `dtype` (F16/BF16 as Uint16Array bit patterns). */
  data: RawTensorArray;
}

export interface WriteOptions {
  metadata?: Record<string, string>;
}

/** Tensors are stored in name order so the same input always gives the same bytes. */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  options: WriteOptions = {},
): Promise<void> {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const header: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length > 0) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const [name, tensor] of entries) {
    checkTensor(path, name, tensor);
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const headerBytes = paddedHeader(JSON.stringify(header));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);

  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const [, tensor] of entries) {
      if (tensor.data.byteLength === 0) continue;
      await handle.write(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

function checkTensor(path: string, name: string, tensor: TensorToWrite): void {
  const where = `${path}: tensor "${name}"`;
  if (name === '__metadata__' || name.length === 0) throw new SafetensorsError(`${where}: reserved or empty tensor name`);
  const arrayName = expectedArrayName(tensor.dtype);
  if (!isRawArrayOf(tensor.dtype, tensor.data)) {
    throw new SafetensorsError(`${where}: ${tensor.dtype} data must be a ${arrayName}, got ${tensor.data.constructor.name}`);
  }
  if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be non-negative integers, got [${tensor.shape.join(', ')}]`);
  }
  const expected = elementCount(tensor.shape);
  if (tensor.data.length !== expected) {
    throw new SafetensorsError(
      `${where}: shape [${tensor.shape.join(', ')}] holds ${expected} values but data has ${tensor.data.length}`,
    );
  }
  if (tensor.data.byteLength !== expected * DTYPE_ITEM_SIZE[tensor.dtype]) {
    throw new SafetensorsError(`${where}: byte length does not match ${tensor.dtype}`);
  }
}

/** Pads with spaces to a multiple of 8 so the data section starts aligned (as the reference writer does). */
function paddedHeader(json: string): Uint8Array {
  const bytes = new TextEncoder().encode(json);
  const padded = Math.ceil(bytes.length / 8) * 8;
  const out = new Uint8Array(padded).fill(0x20);
  out.set(bytes);
  return out;
}
