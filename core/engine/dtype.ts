/**
 * Element types the engine traces with, and their ONNX / typed-array counterparts.
 * float16 and bfloat16 exist for frozen initializer storage (cast to float32 in the graph).
 */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** TensorProto.DataType codes from the ONNX spec. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Types whose values can carry a gradient. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** The typed array a run feeds or returns for each dtype. */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'int32'
        ? Int32Array
        : D extends 'int8'
          ? Int8Array
          : D extends 'uint8' | 'bool'
            ? Uint8Array
            : Uint16Array;

export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

/** Name of the ORT tensor type string for a dtype. */
export function ortTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'float32';
    case 'float64':
      return 'float64';
    case 'float16':
      return 'float16';
    case 'bfloat16':
      return 'bfloat16';
    case 'int64':
      return 'int64';
    case 'int32':
      return 'int32';
    case 'int8':
      return 'int8';
    case 'uint8':
      return 'uint8';
    case 'bool':
      return 'bool';
  }
}

export function dtypeFromOrt(type: string): DType {
  const map: Record<string, DType> = {
    float32: 'float32',
    float64: 'float64',
    float16: 'float16',
    bfloat16: 'bfloat16',
    int64: 'int64',
    int32: 'int32',
    int8: 'int8',
    uint8: 'uint8',
    bool: 'bool',
  };
  const d = map[type];
  if (d === undefined) throw new Error(`engine: onnxruntime returned tensor type '${type}', which the engine does not map`);
  return d;
}
