/**
 * The safetensors element types Attune reads and writes, with their sizes and the typed array
 * that holds their raw values. F16 and BF16 stay raw (Uint16Array) until converted on purpose.
 */
export const SAFETENSORS_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I8', 'U8', 'BOOL'] as const;
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

export const DTYPE_ITEM_SIZE: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface RawArrayFor {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I8: Int8Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}
export type RawTensorArray = RawArrayFor[SafetensorsDType];

export function isSafetensorsDType(value: string): value is SafetensorsDType {
  return (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

export function isFloatDType(dtype: SafetensorsDType): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/**
 * A typed-array view of little-endian bytes. The caller passes a buffer it owns, aligned to the
 * item size (a freshly allocated one is), so no copy is made.
 */
export function viewAs(dtype: SafetensorsDType, buffer: ArrayBuffer, byteOffset: number, count: number): RawTensorArray {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, count);
    case 'F32':
      return new Float32Array(buffer, byteOffset, count);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'I32':
      return new Int32Array(buffer, byteOffset, count);
    case 'I8':
      return new Int8Array(buffer, byteOffset, count);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, byteOffset, count);
  }
}

/** The typed-array class a dtype's raw values must come in (used to check writer input). */
export function expectedArrayName(dtype: SafetensorsDType): string {
  return ARRAY_CLASS[dtype].name;
}

export function isRawArrayOf(dtype: SafetensorsDType, data: RawTensorArray): boolean {
  return data instanceof ARRAY_CLASS[dtype];
}

const ARRAY_CLASS: Readonly<Record<SafetensorsDType, abstract new (...args: never[]) => RawTensorArray>> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
