/**
 * The weights of a model folder: one `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: shard file}}`).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { didYouMean } from '../../base/suggest.js';
import { SafetensorsError } from './errors.js';
import type { TensorInfo } from './header.js';
import { SafetensorsFile } from './reader.js';
import type { LoadedTensor } from './reader.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface LocatedTensor extends TensorInfo {
  /** The shard file that holds the bytes (absolute `fileOffset` is into this file). */
  path: string;
}

export class SafetensorsWeights {
  private constructor(
    readonly dir: string,
    /** The index file when sharded, else the single file. */
    readonly source: string,
    readonly files: readonly SafetensorsFile[],
    private readonly byName: ReadonlyMap<string, SafetensorsFile>,
  ) {}

  static async openFolder(dir: string): Promise<SafetensorsWeights> {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      throw new SafetensorsError(`${dir}: cannot list model folder (${error.code ?? error.message})`);
    });
    if (entries.includes(INDEX_FILE)) return SafetensorsWeights.openIndex(dir, join(dir, INDEX_FILE));
    if (entries.includes(SINGLE_FILE)) {
      const file = await SafetensorsFile.open(join(dir, SINGLE_FILE));
      return new SafetensorsWeights(dir, file.path, [file], new Map(file.names().map((n) => [n, file])));
    }
    const other = entries.filter((e) => e.endsWith('.bin') || e.endsWith('.pt') || e.endsWith('.gguf'));
    throw new SafetensorsError(
      `${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}` + (other.length ? ` (found ${other.join(', ')})` : ''),
      'Attune reads Hugging Face safetensors weights; convert the checkpoint (e.g. save_pretrained(..., safe_serialization=True))',
    );
  }

  private static async openIndex(dir: string, indexPath: string): Promise<SafetensorsWeights> {
    let weightMap: Record<string, unknown>;
    try {
      const parsed = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: unknown };
      if (typeof parsed.weight_map !== 'object' || parsed.weight_map === null || Array.isArray(parsed.weight_map)) {
        throw new Error('"weight_map" must be an object of tensor name -> shard file');
      }
      weightMap = parsed.weight_map as Record<string, unknown>;
    } catch (error) {
      throw new SafetensorsError(`${indexPath}: invalid shard index (${(error as Error).message})`);
    }
    const shards = new Map<string, SafetensorsFile>();
    for (const shard of new Set(Object.values(weightMap))) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
        throw new SafetensorsError(`${indexPath}: shard name ${JSON.stringify(shard)} must be a file name in the same folder`);
      }
      shards.set(shard, await SafetensorsFile.open(join(dir, shard)));
    }
    const byName = new Map<string, SafetensorsFile>();
    for (const [name, shard] of Object.entries(weightMap)) {
      const file = shards.get(shard as string)!;
      if (!file.has(name)) {
        throw new SafetensorsError(
          `${indexPath}: tensor "${name}" is mapped to ${String(shard)} but that shard does not contain it`,
          'the index and the shards come from different exports; re-download the model',
        );
      }
      byName.set(name, file);
    }
    return new SafetensorsWeights(dir, indexPath, [...shards.values()], byName);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Where a tensor lives: shard path, absolute file offset, byte length, dtype and shape. */
  locate(name: string): LocatedTensor {
    const file = this.fileOf(name);
    return { ...file.info(name), path: file.path };
  }

  async read(name: string): Promise<LoadedTensor> {
    return this.fileOf(name).read(name);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    return this.fileOf(name).readFloat32(name);
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.byName.get(name);
    if (!file) {
      throw new SafetensorsError(`${this.source}: no tensor "${name}".${didYouMean(name, this.byName.keys())}`);
    }
    return file;
  }
}
