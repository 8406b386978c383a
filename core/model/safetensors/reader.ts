/**
 * Lazy access to one .safetensors file: the header is read on open, tensor bytes only on request,
 * and every tensor's absolute file offset is exposed so ONNX external data can point into the file.
 */
import { open, stat } from 'node:fs/promises';
import { didYouMean } from '../../base/suggest.js';
import { elementCount, viewAs } from './dtype.js';
import type { RawTensorArray, SafetensorsDType } from './dtype.js';
import { SafetensorsError } from './errors.js';
import { bfloat16ToFloat32, float16ToFloat32 } from './half.js';
import { parseHeaderJson, parseHeaderLength } from './header.js';
import type { TensorInfo } from './header.js';

export interface LoadedTensor {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  data: RawTensorArray;
}

export class SafetensorsFile {
  private constructor(
    readonly path: string,
    readonly fileSize: number,
    readonly dataStart: number,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly tensors: ReadonlyMap<string, TensorInfo>,
  ) {}

  /** Reads and validates the header only. */
  static async open(path: string): Promise<SafetensorsFile> {
    let size: number;
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new SafetensorsError(`${path} is a folder where a .safetensors weights file was expected`, 'Put the weights file itself at that path (a download that unpacked wrongly?).');
      size = info.size;
      handle = await open(path, 'r');
    } catch (error) {
      if (error instanceof SafetensorsError) throw error;
      throw new SafetensorsError(`${path}: cannot open safetensors file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    try {
      const prefix = new Uint8Array(8);
      await handle.read(prefix, 0, Math.min(8, size), 0);
      const headerLength = parseHeaderLength(prefix, path, size);
      const json = new Uint8Array(headerLength);
      const { bytesRead } = await handle.read(json, 0, headerLength, 8);
      if (bytesRead !== headerLength) {
        throw new SafetensorsError(`${path}: header claims ${headerLength} bytes but only ${bytesRead} could be read (truncated file?)`);
      }
      const header = parseHeaderJson(json, path, headerLength, size - 8 - headerLength);
      return new SafetensorsFile(path, size, header.dataStart, header.metadata, header.tensors);
    } finally {
      await handle.close();
    }
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Header facts for one tensor; a missing name fails naming the file and close matches. */
  info(name: string): TensorInfo {
    const found = this.tensors.get(name);
    if (!found) {
      throw new SafetensorsError(
        `${this.path}: no tensor "${name}" (file holds ${this.tensors.size}).${didYouMean(name, this.tensors.keys())}`,
      );
    }
    return found;
  }

  infos(): TensorInfo[] {
    return [...this.tensors.values()];
  }

  /** The raw values in the stored dtype (F16/BF16 as Uint16Array bit patterns). */
  async read(name: string): Promise<LoadedTensor> {
    const info = this.info(name);
    const buffer = new ArrayBuffer(info.byteLength);
    if (info.byteLength > 0) {
      const handle = await open(this.path, 'r');
      try {
        const { bytesRead } = await handle.read(new Uint8Array(buffer), 0, info.byteLength, info.fileOffset);
        if (bytesRead !== info.byteLength) {
          throw new SafetensorsError(
            `${this.path}: tensor "${name}": read ${bytesRead} of ${info.byteLength} bytes at offset ${info.fileOffset} (file changed or truncated)`,
          );
        }
      } finally {
        await handle.close();
      }
    }
    const data = viewAs(info.dtype, buffer, 0, elementCount(info.shape));
    return { name, dtype: info.dtype, shape: [...info.shape], data };
  }

  /** Values widened to float32; integer and bool tensors are refused (they are not weights). */
  async readFloat32(name: string): Promise<Float32Array> {
    const tensor = await this.read(name);
    return toFloat32(tensor, this.path);
  }
}

export function toFloat32(tensor: LoadedTensor, file: string): Float32Array {
  switch (tensor.dtype) {
    case 'F32':
      return tensor.data as Float32Array;
    case 'F16':
      return float16ToFloat32(tensor.data as Uint16Array);
    case 'BF16':
      return bfloat16ToFloat32(tensor.data as Uint16Array);
    case 'F64':
      return Float32Array.from(tensor.data as Float64Array);
    default:
      throw new SafetensorsError(
        `${file}: tensor "${tensor.name}" is ${tensor.dtype}, not a floating-point type; cannot read it as float32`,
      );
  }
}
