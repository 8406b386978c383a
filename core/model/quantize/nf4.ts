/**
 * NF4, bitsandbytes' 4-bit NormalFloat (QLoRA's format): each block of `blockSize` weights along
 * the input dim stores its absolute maximum, and each weight the index of the nearest of 16 values
 * (quantiles of a normal distribution, scaled to [−1, 1]); it dequantizes to table[code] · absmax.
 * Codes are packed two to a byte, the first in the low nibble, [n, ⌈k/bs⌉·bs/2]; a last partial
 * block is padded with the code of 0.
 *
 * Double quantization (QLoRA's): the absmax values, minus their mean, are stored as int8 in groups
 * of 256 with one float32 scale per group — about 0.37 fewer bits per weight at block size 64.
 */
import { DOUBLE_QUANT_GROUP, NF4_TABLE as NF4_CODE_BOOK } from '../../engine/primitives/dequantize-in-graph.js';

/** bitsandbytes' NF4 code book as float32, shared with the graph's dequantization. */
export const NF4_TABLE = Float32Array.from(NF4_CODE_BOOK);
const ZERO_CODE = 7;

export { DOUBLE_QUANT_GROUP };

export interface DoubleQuantizedAbsmax {
  /** int8 codes, padded to a whole number of groups. */
  readonly q: Int8Array;
  /** float32 scale per group. */
  readonly scales: Float32Array;
  readonly mean: number;
}

export interface NF4Matrix {
  readonly n: number;
  readonly k: number;
  readonly blockSize: number;
  readonly codes: Uint8Array;
  /** float32 [n·⌈k/bs⌉], or its double-quantized form. */
  readonly absmax: Float32Array | DoubleQuantizedAbsmax;
}

function nearestCode(v: number): number {
  // The table is sorted: the nearest entry is found between midpoints.
  let best = 0;
  for (let c = 1; c < 16; c++) if (Math.abs(NF4_TABLE[c]! - v) < Math.abs(NF4_TABLE[best]! - v)) best = c;
  return best;
}

export function quantizeNF4(w: Float32Array, n: number, k: number, blockSize: number, doubleQuant: boolean): NF4Matrix {
  if (w.length !== n * k) throw new Error(`quantize: ${w.length} values for a [${n}, ${k}] matrix`);
  const kb = Math.ceil(k / blockSize);
  const rowBytes = (kb * blockSize) / 2;
  const codes = new Uint8Array(n * rowBytes).fill(ZERO_CODE | (ZERO_CODE << 4));
  const absmax = new Float32Array(n * kb);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < kb; b++) {
      const start = row * k + b * blockSize;
      const end = row * k + Math.min(k, (b + 1) * blockSize);
      let m = 0;
      for (let i = start; i < end; i++) m = Math.max(m, Math.abs(w[i]!));
      absmax[row * kb + b] = m;
      const inv = m > 0 ? 1 / m : 0;
      for (let i = start; i < end; i++) {
        const j = b * blockSize + (i - start);
        const code = nearestCode(w[i]! * inv);
        const at = row * rowBytes + (j >> 1);
        codes[at] = j & 1 ? (codes[at]! & 0x0f) | (code << 4) : (codes[at]! & 0xf0) | code;
      }
    }
  }
  return { n, k, blockSize, codes, absmax: doubleQuant ? doubleQuantize(absmax) : absmax };
}

export function doubleQuantize(absmax: Float32Array): DoubleQuantizedAbsmax {
  let sum = 0;
  for (const v of absmax) sum += v;
  const mean = Math.fround(sum / absmax.length);
  const groups = Math.ceil(absmax.length / DOUBLE_QUANT_GROUP);
  const q = new Int8Array(groups * DOUBLE_QUANT_GROUP);
  const scales = new Float32Array(groups);
  for (let gi = 0; gi < groups; gi++) {
    const start = gi * DOUBLE_QUANT_GROUP;
    const end = Math.min(absmax.length, start + DOUBLE_QUANT_GROUP);
    let m = 0;
    for (let i = start; i < end; i++) m = Math.max(m, Math.abs(absmax[i]! - mean));
    const s = Math.fround(m > 0 ? m / 127 : 1);
    scales[gi] = s;
    for (let i = start; i < end; i++) q[i] = Math.max(-127, Math.min(127, Math.round((absmax[i]! - mean) / s)));
  }
  return { q, scales, mean };
}

/** The absmax values as the graph computes them: float32 (q · scale) + mean. */
export function absmaxValues(m: NF4Matrix): Float32Array {
  const kbTotal = m.n * Math.ceil(m.k / m.blockSize);
  if (m.absmax instanceof Float32Array) return m.absmax;
  const { q, scales, mean } = m.absmax;
  return Float32Array.from({ length: kbTotal }, (_, i) => Math.fround(Math.fround(q[i]! * scales[Math.floor(i / DOUBLE_QUANT_GROUP)]!) + mean));
}

export function dequantizeNF4(m: NF4Matrix): Float32Array {
  const { n, k, blockSize, codes } = m;
  const kb = Math.ceil(k / blockSize);
  const rowBytes = (kb * blockSize) / 2;
  const absmax = absmaxValues(m);
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < k; j++) {
      const byte = codes[row * rowBytes + (j >> 1)]!;
      const code = j & 1 ? byte >> 4 : byte & 15;
      out[row * k + j] = Math.fround(NF4_TABLE[code]! * absmax[row * kb + Math.floor(j / blockSize)]!);
    }
  }
  return out;
}
