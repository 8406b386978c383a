/**
 * Block-wise weight quantization in onnxruntime's MatMulNBits layout, for frozen [N, K] weights
 * (Hugging Face [out, in]). Each row n is cut into blocks of `blockSize` along K; a block stores
 * q = round(w / scale) + zeroPoint in `bits` bits and dequantizes to (q − zeroPoint) · scale.
 *
 * Layout (com.microsoft MatMulNBits): B uint8 [N, ⌈K/bs⌉, bs·bits/8] with 4-bit values packed two
 * to a byte, the first in the low nibble; scales float32 [N·⌈K/bs⌉]; zero points uint8, for 4 bits
 * [N, ⌈⌈K/bs⌉/2⌉] (low nibble first), for 8 bits [N, ⌈K/bs⌉]. A last partial block is padded
 * with zeros, which MatMulNBits never reads. The range of every block includes 0, so zeros (and
 * all-zero blocks) are exact.
 */

export type QuantBits = 4 | 8;

export interface NBitsMatrix {
  readonly bits: QuantBits;
  readonly blockSize: number;
  /** Rows (out features). */
  readonly n: number;
  /** Columns (in features), the reduction dim. */
  readonly k: number;
  readonly packed: Uint8Array;
  readonly scales: Float32Array;
  readonly zeroPoints: Uint8Array;
}

export const blocksPerRow = (k: number, blockSize: number): number => Math.ceil(k / blockSize);

function checkArgs(n: number, k: number, bits: number, blockSize: number): void {
  if (bits !== 4 && bits !== 8) throw new Error(`quantize: bits must be 4 or 8, got ${bits}`);
  // MatMulNBits takes block sizes that are powers of two, 16 or more.
  if (!(blockSize >= 16 && (blockSize & (blockSize - 1)) === 0)) throw new Error(`quantize: blockSize must be a power of two ≥ 16, got ${blockSize}`);
  if (!(n > 0 && k > 0)) throw new Error(`quantize: the matrix must be non-empty, got [${n}, ${k}]`);
}

/** Quantizes the row-major [n, k] matrix `w`. */
export function quantizeNBits(w: Float32Array, n: number, k: number, bits: QuantBits, blockSize: number): NBitsMatrix {
  checkArgs(n, k, bits, blockSize);
  if (w.length !== n * k) throw new Error(`quantize: ${w.length} values for a [${n}, ${k}] matrix`);
  const kb = blocksPerRow(k, blockSize);
  const qMax = (1 << bits) - 1;
  const bytesPerBlock = (blockSize * bits) / 8;
  const packed = new Uint8Array(n * kb * bytesPerBlock);
  const scales = new Float32Array(n * kb);
  const zeroPoints = new Uint8Array(bits === 4 ? n * Math.ceil(kb / 2) : n * kb);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < kb; b++) {
      const start = row * k + b * blockSize;
      const end = row * k + Math.min(k, (b + 1) * blockSize);
      let lo = 0;
      let hi = 0;
      for (let i = start; i < end; i++) {
        const v = w[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = hi > lo ? (hi - lo) / qMax : 1;
      // float32, as the kernel will see it: the zero point and codes are chosen against it.
      const s = Math.fround(scale);
      const zp = Math.min(qMax, Math.max(0, Math.round(-lo / s)));
      const block = row * kb + b;
      scales[block] = s;
      if (bits === 4) zeroPoints[row * Math.ceil(kb / 2) + (b >> 1)]! |= b & 1 ? zp << 4 : zp;
      else zeroPoints[block] = zp;
      const base = block * bytesPerBlock;
      for (let i = start; i < end; i++) {
        const q = Math.min(qMax, Math.max(0, Math.round(w[i]! / s) + zp));
        const j = i - start;
        if (bits === 8) packed[base + j] = q;
        else packed[base + (j >> 1)]! |= j & 1 ? q << 4 : q;
      }
    }
  }
  return { bits, blockSize, n, k, packed, scales, zeroPoints };
}

/** The float32 matrix a quantized one stands for: what MatMulNBits multiplies by. */
export function dequantizeNBits(m: NBitsMatrix): Float32Array {
  const { bits, blockSize, n, k, packed, scales, zeroPoints } = m;
  const kb = blocksPerRow(k, blockSize);
  const bytesPerBlock = (blockSize * bits) / 8;
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < kb; b++) {
      const block = row * kb + b;
      const zp = bits === 8 ? zeroPoints[block]! : (zeroPoints[row * Math.ceil(kb / 2) + (b >> 1)]! >> (b & 1 ? 4 : 0)) & 15;
      const s = scales[block]!;
      const base = block * bytesPerBlock;
      for (let j = 0; j < blockSize && b * blockSize + j < k; j++) {
        const q = bits === 8 ? packed[base + j]! : (packed[base + (j >> 1)]! >> (j & 1 ? 4 : 0)) & 15;
        out[row * k + b * blockSize + j] = Math.fround((q - zp) * s);
      }
    }
  }
  return out;
}
