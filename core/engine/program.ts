/** A compiled graph: nodes in order, initializers, IO signature; serializes to an ONNX model. */
import { link, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { InitializerRecord, NodeRecord } from './graph.js';
import type { IOSpec } from './compile.js';
import { buildModel, encodeModel } from './onnx/serialize.js';
import type { ExternalPlan } from './onnx/serialize.js';
import { ExternalDataWriter } from './onnx/external-data.js';
import { writeStandaloneModel } from './onnx/standalone.js';
import type { StandaloneOptions, StandaloneResult } from './onnx/standalone.js';

export interface ProgramParts {
  readonly nodes: readonly NodeRecord[];
  readonly extraNodes: readonly { opType: string; input: string; output: string }[];
  readonly inputs: readonly IOSpec[];
  readonly outputs: readonly IOSpec[];
  readonly initializers: readonly InitializerRecord[];
  readonly key: string;
}

/**
 * onnxruntime 1.30 resolves symlinks and refuses external data outside the model's directory, so
 * the original weights file is hard-linked next to the model (no copy, same inode). That needs the
 * cache dir on the same filesystem as the weights.
 */
async function hardLink(target: string, at: string): Promise<void> {
  try {
    await link(target, at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `engine: cannot hard-link weights '${target}' into the model cache '${at}' (${code}): onnxruntime only reads external data inside the model's directory. Put the session cacheDir on the same filesystem as the weights (e.g. inside the model folder)`,
      { cause: e },
    );
  }
}

/** Inline initializer bytes above which the model is written with external data (protobuf caps at 2 GiB). */
const INLINE_LIMIT = 1_500_000_000;

export class Program {
  /** Graph inputs fed each run: declared inputs, then parameters. */
  readonly inputs: readonly IOSpec[];
  readonly outputs: readonly IOSpec[];
  /** Structural hash: equal keys mean the same ONNX model. */
  readonly key: string;
  /** @internal */ readonly parts: ProgramParts;

  constructor(parts: ProgramParts) {
    this.parts = parts;
    this.inputs = parts.inputs;
    this.outputs = parts.outputs;
    this.key = parts.key;
  }

  /**
   * The feeds this program reads, out of a larger set (a training batch fed to its evaluation
   * twin): sessions reject unknown names, so a caller that shares one batch between programs picks.
   */
  pickFeeds<F>(feeds: Readonly<Record<string, F>>): Record<string, F> {
    const out: Record<string, F> = {};
    for (const { name } of this.inputs) if (name in feeds) out[name] = feeds[name] as F;
    return out;
  }

  /** Bytes of the frozen weights read from files (external data), e.g. a model's safetensors. */
  get fileBackedBytes(): number {
    let bytes = 0;
    for (const r of this.parts.initializers) if (!('data' in r.source)) bytes += r.source.length;
    return bytes;
  }

  /** True when the model must be loaded from a file (file-backed or very large weights). */
  get needsFile(): boolean {
    let inline = 0;
    for (const r of this.parts.initializers) {
      if (!('data' in r.source)) return true;
      inline += r.source.data.byteLength;
    }
    return inline > INLINE_LIMIT;
  }

  /**
   * Writes a self-contained ONNX model for another runtime (transformers.js, Python onnxruntime):
   * outputs under their own names, weights inline or in `<file>_data`. See onnx/standalone.ts.
   */
  exportStandalone(file: string, options: StandaloneOptions = {}): Promise<StandaloneResult> {
    return writeStandaloneModel(this.parts, file, options);
  }

  /** ModelProto bytes with all initializers inline (small models). */
  toBytes(staticDims?: Readonly<Record<string, number>>): Uint8Array {
    if (this.needsFile) throw new Error('engine: this program has file-backed or >1.5 GB weights; use program.save(dir) and load the file');
    return encodeModel(buildModel(this.parts, { staticDims, external: new Map() }));
  }

  /**
   * Writes `model.onnx` into `dir` (atomically) and returns its path. File-backed initializers
   * become external data pointing into their original file through a symlink next to the model;
   * large in-memory initializers are appended to `weights.bin` there.
   */
  async save(dir: string, staticDims?: Readonly<Record<string, number>>): Promise<string> {
    await mkdir(dir, { recursive: true });
    const external: ExternalPlan = new Map();
    const links = new Map<string, string>();
    const inlineBig = this.parts.initializers.filter((r) => 'data' in r.source && r.source.data.byteLength >= 1024);
    const spill = this.needsFile && inlineBig.length > 0;
    const weightsTmp = join(dir, `weights.bin.${process.pid}.tmp`);
    const spilled = spill ? await ExternalDataWriter.create(weightsTmp, 'weights.bin') : undefined;
    try {
      for (const r of this.parts.initializers) {
        const src = r.source;
        if ('file' in src) {
          const target = await realpath(resolve(src.file));
          let name = links.get(target);
          if (!name) {
            name = `ext${links.size}_${basename(target).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
            links.set(target, name);
            await rm(join(dir, name), { force: true });
            await hardLink(target, join(dir, name));
          }
          external.set(r.tensor.name, { location: name, offset: src.offset, length: src.length });
        } else if (spilled && src.data.byteLength >= 1024) {
          await spilled.append(r.tensor.name, new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.byteLength), external);
        }
      }
    } finally {
      await spilled?.close();
    }
    if (spill) await rename(weightsTmp, join(dir, 'weights.bin'));
    const bytes = encodeModel(buildModel(this.parts, { staticDims, external }));
    const path = join(dir, 'model.onnx');
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return path;
  }
}
