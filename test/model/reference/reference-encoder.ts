/**
 * An independent float64 implementation of transformers' BertForSequenceClassification and
 * RobertaForSequenceClassification forwards in plain loops, written from modeling_bert.py and
 * modeling_roberta.py (not from the engine), one row of a padded batch at a time:
 *   position ids: BERT 0…S−1; RoBERTa padding_idx + cumsum(id ≠ pad) (padding_idx on pads);
 *   embeddings word + position + token type → LayerNorm; post-LN layers with the extended
 *   attention mask (masked keys get −∞); erf GELU; BERT pooler tanh(W·h[CLS]) → classifier;
 *   RoBERTa head tanh(dense(h[<s>])) → out_proj.
 */
import type { EncoderConfig } from '../../../core/model/classifier/classifier-config.js';
import { linearRows } from './reference-decoder.js';

export type ReferenceTensors = ReadonlyMap<string, Float64Array>;

function get(t: ReferenceTensors, name: string): Float64Array {
  const v = t.get(name);
  if (!v) throw new Error(`reference: no tensor ${name}`);
  return v;
}

/** erf by its Maclaurin series (float64-accurate to ~1e-12 for |x| ≤ 4; ±1 beyond, where 1 − |erf| < 2e-8). */
export function referenceErf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const gelu = (x: number, approx: 'erf' | 'tanh'): number =>
  approx === 'erf' ? 0.5 * x * (1 + referenceErf(x / Math.SQRT2)) : 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

const linear = (x: Float64Array, rows: number, inDim: number, w: Float64Array, b: Float64Array | undefined, outDim: number): Float64Array => linearRows(x, rows, inDim, w, outDim, b, undefined);

function layerNorm(x: Float64Array, rows: number, dim: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[r * dim + i] as number;
    mean /= dim;
    let variance = 0;
    for (let i = 0; i < dim; i++) variance += ((x[r * dim + i] as number) - mean) ** 2;
    variance /= dim;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < dim; i++) y[r * dim + i] = ((x[r * dim + i] as number) - mean) * inv * (w[i] as number) + (b[i] as number);
  }
  return y;
}

/** Logits of one padded row: ids, attention mask and token types are all of the batch's length. */
export function referenceEncoderLogits(c: EncoderConfig, t: ReferenceTensors, ids: readonly number[], mask: readonly number[], types: readonly number[], numLabels: number): Float64Array {
  const S = ids.length;
  const H = c.hiddenSize;
  const stem = c.family === 'bert' ? 'bert' : 'roberta';
  const positions: number[] = [];
  let seen = 0;
  for (let i = 0; i < S; i++) {
    if (c.family === 'bert') positions.push(i);
    else {
      const real = ids[i] !== c.padTokenId;
      if (real) seen++;
      positions.push(real ? c.padTokenId + seen : c.padTokenId);
    }
  }
  const words = get(t, `${stem}.embeddings.word_embeddings.weight`);
  const pos = get(t, `${stem}.embeddings.position_embeddings.weight`);
  const typ = get(t, `${stem}.embeddings.token_type_embeddings.weight`);
  let h: Float64Array = new Float64Array(S * H);
  for (let i = 0; i < S; i++) {
    for (let k = 0; k < H; k++) {
      h[i * H + k] = (words[(ids[i] as number) * H + k] as number) + (pos[(positions[i] as number) * H + k] as number) + (typ[(types[i] as number) * H + k] as number);
    }
  }
  h = layerNorm(h, S, H, get(t, `${stem}.embeddings.LayerNorm.weight`), get(t, `${stem}.embeddings.LayerNorm.bias`), c.layerNormEps);
  const { numHeads: nH, headDim: hd } = c;
  for (let l = 0; l < c.numLayers; l++) {
    const p = `${stem}.encoder.layer.${l}`;
    const dense = (x: Float64Array, inDim: number, name: string, outDim: number) => linear(x, S, inDim, get(t, `${name}.weight`), get(t, `${name}.bias`), outDim);
    const q = dense(h, H, `${p}.attention.self.query`, H);
    const k = dense(h, H, `${p}.attention.self.key`, H);
    const v = dense(h, H, `${p}.attention.self.value`, H);
    const context = new Float64Array(S * H);
    for (let head = 0; head < nH; head++) {
      for (let i = 0; i < S; i++) {
        const keys = [...Array(S).keys()].filter((j) => mask[j] === 1);
        const scores = keys.map((j) => {
          let s = 0;
          for (let d = 0; d < hd; d++) s += (q[i * H + head * hd + d] as number) * (k[j * H + head * hd + d] as number);
          return s / Math.sqrt(hd);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        keys.forEach((j, n) => {
          for (let d = 0; d < hd; d++) context[i * H + head * hd + d] = (context[i * H + head * hd + d] as number) + ((e[n] as number) / z) * (v[j * H + head * hd + d] as number);
        });
      }
    }
    const attnOut = dense(context, H, `${p}.attention.output.dense`, H);
    const a = layerNorm(h.map((x, i) => x + (attnOut[i] as number)), S, H, get(t, `${p}.attention.output.LayerNorm.weight`), get(t, `${p}.attention.output.LayerNorm.bias`), c.layerNormEps);
    const inner = dense(a, H, `${p}.intermediate.dense`, c.intermediateSize).map((x) => gelu(x, c.activation));
    const out = dense(inner, c.intermediateSize, `${p}.output.dense`, H);
    h = layerNorm(a.map((x, i) => x + (out[i] as number)), S, H, get(t, `${p}.output.LayerNorm.weight`), get(t, `${p}.output.LayerNorm.bias`), c.layerNormEps);
  }
  const first = h.slice(0, H);
  const [denseName, outName] = c.family === 'bert' ? ['bert.pooler.dense', 'classifier'] : ['classifier.dense', 'classifier.out_proj'];
  const pooled = linear(first, 1, H, get(t, `${denseName}.weight`), get(t, `${denseName}.bias`), H).map(Math.tanh);
  return linear(pooled, 1, H, get(t, `${outName}.weight`), get(t, `${outName}.bias`), numLabels);
}
