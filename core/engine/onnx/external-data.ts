/**
 * An ONNX external data file being written: tensors appended at 64-byte aligned offsets (so
 * onnxruntime can map them without copying), each recorded in the plan under its location.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ExternalPlan } from './serialize.js';

export class ExternalDataWriter {
  private offset = 0;

  private constructor(
    private readonly fh: FileHandle,
    /** The file's name as initializers refer to it (relative to the model). */
    private readonly location: string,
  ) {}

  static async create(path: string, location: string): Promise<ExternalDataWriter> {
    return new ExternalDataWriter(await open(path, 'w'), location);
  }

  async append(name: string, bytes: Uint8Array, plan: ExternalPlan): Promise<void> {
    const pad = (64 - (this.offset % 64)) % 64;
    if (pad) await this.fh.write(new Uint8Array(pad), 0, pad, this.offset);
    this.offset += pad;
    await this.fh.write(bytes, 0, bytes.length, this.offset);
    plan.set(name, { location: this.location, offset: this.offset, length: bytes.length });
    this.offset += bytes.length;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
