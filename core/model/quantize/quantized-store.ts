/**
 * The quantized linear weights of a model folder, built once and kept on disk: quantizing reads
 * every weight into JS (seconds for a small model, minutes for a large one), so the result is
 * written to `<tmp>/attune-engine/quantized/<key>.bin` — beside the engine's session cache, on the
 * same filesystem, because onnxruntime reads these bytes as the graph's external data — with a
 * JSON index of byte ranges. The key covers the weight files (path, size, mtime) and the spec, so
 * a changed model or spec builds anew; files are written atomically.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../base/atomic-write.js';
import type { DecoderConfig } from '../folder/config.js';
import { layerPrefix } from '../folder/expected-tensors.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import { blocksPerRow, quantizeNBits } from './nbits.js';
import { quantizeNF4 } from './nf4.js';
import { bitsOf, type WeightQuantization } from './weight-quantization.js';

/** Bumped when the file layout changes, so old caches are not misread. */
const FORMAT = 2;

export interface StoredRange {
  readonly offset: number;
  readonly length: number;
}

export interface StoredMatrix {
  /** [n, k] as in the safetensors file. */
  readonly shape: readonly [number, number];
  /** int4/int8: MatMulNBits codes; nf4: the packed NF4 codes. */
  readonly packed: StoredRange;
  /** int4/int8: float32 scales; nf4: float32 absmax, or the double-quantized absmax's group scales. */
  readonly scales: StoredRange;
  /** int4/int8 only. */
  readonly zeroPoints?: StoredRange;
  /** nf4 with double quantization: the int8 absmax codes and their mean. */
  readonly absmaxQ?: StoredRange;
  readonly absmaxMean?: number;
}

export interface QuantizedStore {
  readonly file: string;
  readonly spec: WeightQuantization;
  /** By HF tensor name (`model.layers.0.self_attn.q_proj.weight`, `lm_head.weight` or the tied embedding). */
  readonly matrices: Readonly<Record<string, StoredMatrix>>;
  /** Whether this call built the file (false: it was already on disk). */
  readonly built: boolean;
}

const PROJECTIONS = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];

/** The weights generation multiplies by: every projection, and the LM head (the embedding when tied). */
export function quantizableWeights(config: DecoderConfig): string[] {
  const names: string[] = [];
  for (let l = 0; l < config.numLayers; l++) for (const p of PROJECTIONS) names.push(`${layerPrefix(l)}.${p}.weight`);
  if (config.head === 'causal-lm') names.push(config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return names;
}

function storeKey(weights: SafetensorsWeights, names: readonly string[], spec: WeightQuantization): string {
  const hash = createHash('sha256').update(JSON.stringify({ FORMAT, spec }));
  const files = [...new Set(names.map((n) => weights.locate(n).path))].sort();
  for (const f of files) {
    const s = statSync(f);
    hash.update(`${resolve(f)}|${s.size}|${s.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 32);
}

export async function openQuantizedStore(config: DecoderConfig, weights: SafetensorsWeights, spec: WeightQuantization, cacheDir = join(tmpdir(), 'attune-engine', 'quantized')): Promise<QuantizedStore> {
  const names = quantizableWeights(config);
  const key = storeKey(weights, names, spec);
  const file = join(cacheDir, `${key}.bin`);
  const indexFile = join(cacheDir, `${key}.json`);
  if (existsSync(file) && existsSync(indexFile)) {
    const matrices = JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, StoredMatrix>;
    if (names.every((n) => matrices[n])) return { file, spec, matrices, built: false };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const put = (bytes: Uint8Array): StoredRange => {
    // 4-byte alignment keeps every float32 scale array aligned in the file.
    const pad = (4 - (offset % 4)) % 4;
    if (pad) chunks.push(new Uint8Array(pad));
    offset += pad;
    const range = { offset, length: bytes.byteLength };
    chunks.push(bytes);
    offset += bytes.byteLength;
    return range;
  };
  const matrices: Record<string, StoredMatrix> = {};
  const bytes = (a: Float32Array | Int8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const name of names) {
    const shape = weights.locate(name).shape;
    const [n, k] = shape as [number, number];
    const w = await weights.readFloat32(name);
    if (spec.type === 'nf4') {
      const q = quantizeNF4(w, n, k, spec.blockSize, spec.doubleQuant);
      matrices[name] =
        q.absmax instanceof Float32Array
          ? { shape: [n, k], packed: put(q.codes), scales: put(bytes(q.absmax)) }
          : { shape: [n, k], packed: put(q.codes), scales: put(bytes(q.absmax.scales)), absmaxQ: put(bytes(q.absmax.q)), absmaxMean: q.absmax.mean };
      continue;
    }
    const q = quantizeNBits(w, n, k, bitsOf(spec), spec.blockSize);
    matrices[name] = { shape: [n, k], packed: put(q.packed), scales: put(bytes(q.scales)), zeroPoints: put(q.zeroPoints) };
  }
  await writeFileAtomic(file, Buffer.concat(chunks));
  // The index last: a reader that finds it finds a whole file.
  await writeFileAtomic(indexFile, JSON.stringify(matrices));
  return { file, spec, matrices, built: true };
}

/** The packed weight's shape, [n, ⌈k/bs⌉, bs·bits/8]. */
export function packedShape(m: StoredMatrix, spec: WeightQuantization): [number, number, number] {
  const [n, k] = m.shape;
  return [n, blocksPerRow(k, spec.blockSize), (spec.blockSize * bitsOf(spec)) / 8];
}
