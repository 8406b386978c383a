/**
 * A program written as a self-contained ONNX model for other runtimes (transformers.js, Python
 * onnxruntime): outputs under their own names (the engine's sessions read `out__<name>` Identity
 * outputs), IO dims under the names the consumer expects, and every initializer's bytes in the
 * model or in one external data file beside it — never a link into the source weights, so the
 * folder can be copied anywhere.
 */
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { InitializerRecord } from '../graph.js';
import type { ProgramParts } from '../program.js';
import { ExternalDataWriter } from './external-data.js';
import { buildModel, encodeModel } from './serialize.js';
import type { ExternalPlan } from './serialize.js';

/** Initializer bytes above which the weights go to external data (protobuf caps a message at 2 GiB). */
export const EXTERNAL_DATA_THRESHOLD = 1_500_000_000;

/** Initializers smaller than this stay inline even when the weights are external. */
const EXTERNAL_MIN_BYTES = 1024;

export interface StandaloneOptions {
  /** Symbol renames in the IO signature (`batch` → `batch_size`). */
  readonly dimNames?: Readonly<Record<string, string>>;
  /** External data in `<model file>_data`: true, false, or 'auto' (only above EXTERNAL_DATA_THRESHOLD; the default). */
  readonly externalData?: boolean | 'auto';
}

export interface StandaloneResult {
  readonly file: string;
  /** The external data file's name beside the model, or null when every weight is inline. */
  readonly externalData: string | null;
  readonly weightBytes: number;
}

async function readRange(source: { file: string; offset: number; length: number }): Promise<Uint8Array> {
  const fh = await open(source.file, 'r');
  try {
    const bytes = new Uint8Array(source.length);
    const { bytesRead } = await fh.read(bytes, 0, source.length, source.offset);
    if (bytesRead !== source.length) throw new Error(`engine: ${source.file}: read ${bytesRead} of ${source.length} bytes at offset ${source.offset} (the file is shorter than its header says)`);
    return bytes;
  } finally {
    await fh.close();
  }
}

const byteLength = (r: InitializerRecord): number => ('data' in r.source ? r.source.data.byteLength : r.source.length);

/** Outputs named as traced: the Identity nodes the compiler adds write `name`, not `out__name`. */
function withPlainOutputs(parts: ProgramParts): ProgramParts {
  const taken = new Set<string>([...parts.inputs.map((s) => s.name), ...parts.initializers.map((r) => r.tensor.name)]);
  for (const n of parts.nodes) for (const o of n.outputs) taken.add(o.name);
  const renamed = new Map<string, string>();
  for (const o of parts.outputs) {
    if (taken.has(o.name)) throw new Error(`engine: export: output '${o.name}' has the name of a tensor inside the graph; rename the output`);
    renamed.set(o.onnxName ?? o.name, o.name);
  }
  return {
    ...parts,
    extraNodes: parts.extraNodes.map((e) => ({ ...e, output: renamed.get(e.output) ?? e.output })),
    outputs: parts.outputs.map(({ onnxName: _, ...spec }) => spec),
  };
}

/** Writes the program to `file` (atomically); weights inline or in `<basename>_data` beside it. */
export async function writeStandaloneModel(parts: ProgramParts, file: string, options: StandaloneOptions = {}): Promise<StandaloneResult> {
  const plain = withPlainOutputs(parts);
  const weightBytes = plain.initializers.reduce((sum, r) => sum + byteLength(r), 0);
  const external = options.externalData === true || ((options.externalData ?? 'auto') === 'auto' && weightBytes > EXTERNAL_DATA_THRESHOLD);
  const dataName = `${basename(file)}_data`;
  const dataFile = join(dirname(file), dataName);
  const plan: ExternalPlan = new Map();
  const initializers: InitializerRecord[] = [];
  const dataTmp = `${dataFile}.${process.pid}.tmp`;
  const data = external ? await ExternalDataWriter.create(dataTmp, dataName) : undefined;
  try {
    for (const r of plain.initializers) {
      const src = r.source;
      const bytes = 'data' in src ? new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.byteLength) : await readRange(src);
      // Small tensors stay inline: onnxruntime's shape inference reads constants (shapes, axes) only from the model itself.
      if (data && bytes.byteLength >= EXTERNAL_MIN_BYTES) {
        await data.append(r.tensor.name, bytes, plan);
        initializers.push(r);
      } else {
        // Inline: raw bytes in the model. A file-backed range becomes an in-memory byte view of it.
        initializers.push('data' in src ? r : { tensor: r.tensor, source: { data: bytes, shape: src.shape, dtype: src.dtype } });
      }
    }
  } catch (error) {
    await data?.close();
    await rm(dataTmp, { force: true });
    throw error;
  }
  await data?.close();
  const model = encodeModel(buildModel({ ...plain, initializers }, { external: plan, dimNames: options.dimNames }));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, model);
  if (external) await rename(dataTmp, dataFile);
  await rename(tmp, file);
  return { file, externalData: external ? dataName : null, weightBytes };
}
