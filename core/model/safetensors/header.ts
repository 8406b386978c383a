/**
 * The safetensors header: 8 bytes of little-endian u64 N, then N bytes of JSON mapping tensor
 * names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data section),
 * plus an optional `__metadata__` string map. Everything is checked before any tensor is read.
 */
import { DTYPE_ITEM_SIZE, SAFETENSORS_DTYPES, elementCount, isSafetensorsDType } from './dtype.js';
import type { SafetensorsDType } from './dtype.js';
import { SafetensorsError } from './errors.js';

/** The reference implementation refuses larger headers; so do we (a garbage length would be huge). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Absolute position of the first byte in the file (what ONNX external data calls `offset`). */
  fileOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  /** Where the data section begins in the file (8 + N). */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** Reads N from the first 8 bytes and checks it against the file size. */
export function parseHeaderLength(prefix: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(
      `${file}: not a safetensors file: ${fileSize} bytes, but the header length alone takes 8`,
      'the file is empty or truncated; re-download or re-export it',
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n === 0n || n > BigInt(MAX_HEADER_BYTES) || n > BigInt(fileSize - 8)) {
    throw new SafetensorsError(
      `${file}: corrupt header length ${n} (file has ${fileSize} bytes, header limit ${MAX_HEADER_BYTES})`,
      'the file is truncated or not a safetensors file',
    );
  }
  return Number(n);
}

/** Parses and validates the JSON header; `dataLength` is the size of the data section in the file. */
export function parseHeaderJson(json: Uint8Array, file: string, headerLength: number, dataLength: number): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw new SafetensorsError(
      `${file}: header is not valid UTF-8 JSON (${(error as Error).message})`,
      'the file is corrupt or not a safetensors file',
    );
  }
  if (!isPlainObject(parsed)) {
    throw new SafetensorsError(`${file}: header must be a JSON object, got ${describe(parsed)}`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, file);
      continue;
    }
    tensors.set(name, parseEntry(name, entry, file, dataStart, dataLength));
  }
  checkNoOverlap([...tensors.values()], file);
  return { dataStart, tensors, metadata };
}

function parseEntry(name: string, entry: unknown, file: string, dataStart: number, dataLength: number): TensorInfo {
  const where = `${file}: tensor "${name}"`;
  if (!isPlainObject(entry)) throw new SafetensorsError(`${where}: entry must be an object, got ${describe(entry)}`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !isSafetensorsDType(dtype)) {
    throw new SafetensorsError(
      `${where}: unsupported dtype ${JSON.stringify(dtype)}; supported: ${SAFETENSORS_DTYPES.join(', ')}`,
      'convert the checkpoint to float32, float16 or bfloat16',
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const dims = shape as number[];
  const expected = elementCount(dims) * DTYPE_ITEM_SIZE[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(
      `${where}: ${dtype}[${dims.join(', ')}] needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      'the header is corrupt',
    );
  }
  if (end > dataLength) {
    throw new SafetensorsError(
      `${where}: data ends at byte ${end} of the data section but the file holds only ${dataLength} data bytes (truncated file?)`,
      'the file was cut short; re-download or re-export it',
    );
  }
  return { name, dtype, shape: [...dims], fileOffset: dataStart + begin, byteLength: end - begin };
}

function parseMetadata(entry: unknown, file: string): Record<string, string> {
  if (!isPlainObject(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
    throw new SafetensorsError(`${file}: __metadata__ must map strings to strings, got ${JSON.stringify(entry)}`);
  }
  return { ...(entry as Record<string, string>) };
}

function checkNoOverlap(infos: TensorInfo[], file: string): void {
  const sorted = infos.filter((t) => t.byteLength > 0).sort((a, b) => a.fileOffset - b.fileOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.fileOffset < previous.fileOffset + previous.byteLength) {
      throw new SafetensorsError(
        `${file}: tensors "${previous.name}" and "${current.name}" overlap in the data section`,
        'the header is corrupt',
      );
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
