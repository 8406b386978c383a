/**
 * Folds a LoRA adapter into its base model — W' = W + scale·B·A — and writes a complete Hugging
 * Face model folder (config, weights, tokenizer and every other non-weight file), atomically.
 * Shards are rewritten one at a time under their original names, so the index stays valid and
 * only one shard's tensors are in memory at once. Each tensor keeps its stored dtype unless
 * `dtype` asks for another.
 */
import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeDirAtomic } from '../../base/atomic-write.js';
import type { ModelFolder } from '../folder/open-model-folder.js';
import { toFloat32 } from '../safetensors/reader.js';
import { float32ToBfloat16, float32ToFloat16 } from '../safetensors/half.js';
import { writeSafetensors } from '../safetensors/writer.js';
import type { TensorToWrite } from '../safetensors/writer.js';
import { LoraError } from './errors.js';
import type { LoraState } from './lora-state.js';
import { modulePath, projectionShape } from './targets.js';

/** Weight formats that would shadow or contradict the merged safetensors if copied along. */
const WEIGHT_FILE = /\.(safetensors|bin|pt|pth|ckpt|gguf|onnx|h5|msgpack)$|^model\.safetensors\.index\.json$|^pytorch_model\.bin\.index\.json$/;

/** W [out, in] + scale·B [out, r]·A [r, in], accumulated in float64 and rounded once. */
export function mergeProjection(w: Float32Array, a: Float32Array, b: Float32Array, scale: number, out: number, inDim: number, r: number): Float32Array {
  if (w.length !== out * inDim || a.length !== r * inDim || b.length !== out * r) {
    throw new LoraError(`merge: W has ${w.length} values, A ${a.length}, B ${b.length}; [${out}, ${inDim}] with r=${r} needs ${out * inDim}, ${r * inDim}, ${out * r}`);
  }
  const merged = new Float32Array(w.length);
  const row = new Float64Array(inDim);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = scale * (b[o * r + k] as number);
      if (bk === 0) continue;
      const aRow = k * inDim;
      for (let i = 0; i < inDim; i++) row[i] = (row[i] as number) + bk * (a[aRow + i] as number);
    }
    const wRow = o * inDim;
    for (let i = 0; i < inDim; i++) merged[wRow + i] = (w[wRow + i] as number) + (row[i] as number);
  }
  return merged;
}

function storeAs(dtype: TensorToWrite['dtype'], values: Float32Array): TensorToWrite['data'] {
  if (dtype === 'F32') return values;
  if (dtype === 'F16') return float32ToFloat16(values);
  if (dtype === 'BF16') return float32ToBfloat16(values);
  if (dtype === 'F64') return Float64Array.from(values);
  throw new LoraError(`merge: cannot store a merged projection as ${dtype}`);
}

/** `model.layers.0.self_attn.q_proj.weight` → the LoRA pair that adapts it. */
function pairsByWeightName(state: LoraState | null, folder: ModelFolder): Map<string, { a: Float32Array; b: Float32Array; out: number; inDim: number }> {
  if (!state) return new Map();
  if (state.numLayers !== folder.config.numLayers) {
    throw new LoraError(`merge: the adapter has ${state.numLayers} layers but ${folder.dir} has ${folder.config.numLayers}`, 'merge into the base model the adapter was trained on');
  }
  const map = new Map<string, { a: Float32Array; b: Float32Array; out: number; inDim: number }>();
  for (const { layer, module, a, b } of state.pairs()) {
    const [out, inDim] = projectionShape(folder.config, module);
    map.set(`${modulePath(layer, module)}.weight`, { a: a.data, b: b.data, out, inDim });
  }
  return map;
}

export interface MergeOptions {
  /** Tensors added to the model (written into the last shard), e.g. a classifier's `score.weight`. */
  readonly extraTensors?: Readonly<Record<string, TensorToWrite>>;
  /** Base tensors left out, e.g. a causal LM's `lm_head.weight` in a sequence classifier. */
  readonly dropTensors?: readonly string[];
  /** Files written instead of the base folder's, by name (e.g. a classifier's `config.json`); null leaves the file out. */
  readonly replaceFiles?: Readonly<Record<string, string | null>>;
  /** Store every floating-point tensor in this dtype (default: each keeps its stored dtype). */
  readonly dtype?: 'F32' | 'F16' | 'BF16';
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Writes `outDir`: the base folder's files with every adapted projection merged. A null `state`
 * merges nothing: the folder is rewritten as it is, in `options.dtype` (an fp32 copy to export).
 */
export async function writeMergedModel(folder: ModelFolder, state: LoraState | null, outDir: string, options: MergeOptions = {}): Promise<void> {
  const pairs = pairsByWeightName(state, folder);
  const merged = new Set<string>();
  const dropped = new Set(options.dropTensors ?? []);
  const extra = options.extraTensors ?? {};
  const replaced = options.replaceFiles ?? {};
  const files = folder.weights.files;
  await writeDirAtomic(outDir, async (temp) => {
    for (const [i, file] of files.entries()) {
      const tensors: Record<string, TensorToWrite> = {};
      for (const name of file.names()) {
        if (dropped.has(name)) continue;
        const t = await file.read(name);
        const pair = pairs.get(name);
        const dtype = options.dtype && FLOAT_DTYPES.has(t.dtype) ? options.dtype : t.dtype;
        if (!pair) {
          tensors[name] = dtype === t.dtype ? { dtype, shape: t.shape, data: t.data } : { dtype, shape: t.shape, data: storeAs(dtype, toFloat32(t, file.path)) };
          continue;
        }
        // A pair exists only when there is a state.
        const values = mergeProjection(toFloat32(t, file.path), pair.a, pair.b, state!.scale, pair.out, pair.inDim, state!.config.r);
        tensors[name] = { dtype, shape: t.shape, data: storeAs(dtype, values) };
        merged.add(name);
      }
      if (i === files.length - 1) Object.assign(tensors, extra);
      await writeSafetensors(join(temp, basename(file.path)), tensors, { metadata: { ...file.metadata, format: 'pt' } });
    }
    const missing = [...pairs.keys()].filter((name) => !merged.has(name));
    if (missing.length > 0) throw new LoraError(`merge: ${folder.dir} has no tensor "${missing[0]}" to merge the adapter into`);
    await copyModelFiles(folder.dir, temp, replaced);
    if (files.length > 1) await writeShardIndex(folder.weights.source, join(temp, basename(folder.weights.source)), dropped, Object.keys(extra), basename(files.at(-1)!.path));
  });
}

/**
 * Copies a model folder's files other than its weights (config, tokenizer, generation config,
 * SOURCE.md …) into `toDir`; `replaced` files are written with the given text instead (null: left out).
 */
export async function copyModelFiles(fromDir: string, toDir: string, replaced: Readonly<Record<string, string | null>> = {}): Promise<void> {
  for (const entry of await readdir(fromDir)) {
    const from = join(fromDir, entry);
    if (entry.startsWith('.') || entry in replaced || WEIGHT_FILE.test(entry) || !(await stat(from)).isFile()) continue;
    await copyFile(from, join(toDir, entry));
  }
  for (const [name, text] of Object.entries(replaced)) if (text !== null) await writeFile(join(toDir, name), text);
}

/** The base's shard index with dropped tensors removed and added ones mapped to `lastShard`. */
async function writeShardIndex(from: string, to: string, dropped: ReadonlySet<string>, added: readonly string[], lastShard: string): Promise<void> {
  if (dropped.size === 0 && added.length === 0) {
    await copyFile(from, to);
    return;
  }
  const index = JSON.parse(await readFile(from, 'utf8')) as { metadata?: unknown; weight_map: Record<string, string> };
  const map = Object.fromEntries(Object.entries(index.weight_map).filter(([name]) => !dropped.has(name)));
  for (const name of added) map[name] = lastShard;
  // total_size would be stale; transformers does not need it.
  await writeFile(to, `${JSON.stringify({ metadata: {}, weight_map: map }, null, 2)}\n`);
}
