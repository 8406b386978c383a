/**
 * An independent float64 implementation of the Hugging Face Llama / Qwen2 / Mistral causal-LM
 * forward in plain loops, written from the transformers modeling code (not from the engine), to
 * check the engine's decoder against. One row at a time, with HF's padded-batch semantics:
 * position ids = cumsum(attention_mask) − 1 (1 on padding), causal + key-padding attention,
 * grouped-query heads (head h reads kv head ⌊h / (nH/nKV)⌋), rotate_half RoPE.
 */
import type { DecoderConfig } from '../../../core/model/folder/config.js';

export type ReferenceTensors = ReadonlyMap<string, Float64Array>;

/** LoRA as PEFT applies it: y += scale · (x·Aᵀ)·Bᵀ, keyed by the adapted weight's HF name. */
export interface ReferenceLora {
  readonly scale: number;
  readonly pairs: ReadonlyMap<string, { readonly a: Float64Array; readonly b: Float64Array; readonly r: number }>;
}

export interface ReferenceOutput {
  /** [S, H] final-normed hidden states per row. */
  readonly hidden: Float64Array[];
  /** [S, V] per row. */
  readonly logits: Float64Array[];
}

function tensor(t: ReferenceTensors, name: string): Float64Array {
  const v = t.get(name);
  if (!v) throw new Error(`reference: no tensor ${name}`);
  return v;
}

/** x [n, in] · W[out, in]ᵀ + b, plus LoRA when given. */
/** y = x·Wᵀ + b (+ PEFT LoRA) for each of n rows; W is [out, in] row-major. */
export function linearRows(x: Float64Array, n: number, inDim: number, w: Float64Array, outDim: number, bias: Float64Array | undefined, lora: { a: Float64Array; b: Float64Array; r: number; scale: number } | undefined): Float64Array {
  const y = new Float64Array(n * outDim);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outDim; o++) {
      let s = bias ? (bias[o] as number) : 0;
      for (let k = 0; k < inDim; k++) s += (x[i * inDim + k] as number) * (w[o * inDim + k] as number);
      y[i * outDim + o] = s;
    }
    if (lora) {
      const z = new Float64Array(lora.r);
      for (let j = 0; j < lora.r; j++) {
        let s = 0;
        for (let k = 0; k < inDim; k++) s += (x[i * inDim + k] as number) * (lora.a[j * inDim + k] as number);
        z[j] = s;
      }
      for (let o = 0; o < outDim; o++) {
        let s = 0;
        for (let j = 0; j < lora.r; j++) s += (z[j] as number) * (lora.b[o * lora.r + j] as number);
        y[i * outDim + o] = (y[i * outDim + o] as number) + lora.scale * s;
      }
    }
  }
  return y;
}

function rmsNormRows(x: Float64Array, n: number, h: number, w: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(n * h);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let k = 0; k < h; k++) ss += (x[i * h + k] as number) ** 2;
    const r = 1 / Math.sqrt(ss / h + eps);
    for (let k = 0; k < h; k++) y[i * h + k] = (x[i * h + k] as number) * r * (w[k] as number);
  }
  return y;
}

/** HF `_compute_default_rope_parameters` and the linear / llama3 variants. */
export function referenceInvFreq(c: DecoderConfig): Float64Array {
  const half = c.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim);
  const s = c.ropeScaling;
  if (!s) return inv;
  if (s.kind === 'linear') return inv.map((f) => f / s.factor);
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** In place on one head vector at offset: x·cos + rotate_half(x)·sin. */
function rope(x: Float64Array, off: number, hd: number, pos: number, inv: Float64Array): void {
  const half = hd / 2;
  for (let i = 0; i < half; i++) {
    const angle = pos * (inv[i] as number);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const x1 = x[off + i] as number;
    const x2 = x[off + half + i] as number;
    x[off + i] = x1 * c - x2 * s;
    x[off + half + i] = x2 * c + x1 * s;
  }
}

/** Runs every row of a padded batch: ids and mask are [B][S]. */
export function referenceForward(c: DecoderConfig, t: ReferenceTensors, ids: readonly (readonly number[])[], mask: readonly (readonly number[])[], lora?: ReferenceLora): ReferenceOutput {
  const hidden: Float64Array[] = [];
  const logits: Float64Array[] = [];
  ids.forEach((row, b) => {
    const out = referenceRow(c, t, row, mask[b] as readonly number[], lora);
    hidden.push(out.hidden);
    logits.push(out.logits);
  });
  return { hidden, logits };
}

function referenceRow(c: DecoderConfig, t: ReferenceTensors, ids: readonly number[], mask: readonly number[], lora: ReferenceLora | undefined): { hidden: Float64Array; logits: Float64Array } {
  const S = ids.length;
  const H = c.hiddenSize;
  const { numHeads: nH, numKvHeads: nKV, headDim: hd, intermediateSize: I, vocabSize: V } = c;
  const rep = nH / nKV;
  const positions: number[] = [];
  let run = 0;
  for (let i = 0; i < S; i++) {
    run += mask[i] as number;
    positions.push(mask[i] ? run - 1 : 1);
  }
  const inv = referenceInvFreq(c);
  const embed = tensor(t, 'model.embed_tokens.weight');
  let h = new Float64Array(S * H);
  for (let i = 0; i < S; i++) for (let k = 0; k < H; k++) h[i * H + k] = embed[(ids[i] as number) * H + k] as number;

  const proj = (x: Float64Array, inDim: number, name: string, outDim: number, hasBias: boolean): Float64Array => {
    const pair = lora?.pairs.get(`${name}.weight`);
    return linearRows(x, S, inDim, tensor(t, `${name}.weight`), outDim, hasBias ? tensor(t, `${name}.bias`) : undefined, pair && lora ? { ...pair, scale: lora.scale } : undefined);
  };

  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const x = rmsNormRows(h, S, H, tensor(t, `${p}.input_layernorm.weight`), c.rmsNormEps);
    const q = proj(x, H, `${p}.self_attn.q_proj`, nH * hd, c.qkvBias);
    const k = proj(x, H, `${p}.self_attn.k_proj`, nKV * hd, c.qkvBias);
    const v = proj(x, H, `${p}.self_attn.v_proj`, nKV * hd, c.qkvBias);
    for (let i = 0; i < S; i++) {
      for (let head = 0; head < nH; head++) rope(q, i * nH * hd + head * hd, hd, positions[i] as number, inv);
      for (let head = 0; head < nKV; head++) rope(k, i * nKV * hd + head * hd, hd, positions[i] as number, inv);
    }
    const attn = new Float64Array(S * nH * hd);
    const scale = 1 / Math.sqrt(hd);
    for (let head = 0; head < nH; head++) {
      const kvh = Math.floor(head / rep);
      for (let i = 0; i < S; i++) {
        const allowed: number[] = [];
        for (let j = 0; j <= i; j++) if (mask[j]) allowed.push(j);
        if (allowed.length === 0) continue;
        const scores = allowed.map((j) => {
          let s = 0;
          for (let d = 0; d < hd; d++) s += (q[i * nH * hd + head * hd + d] as number) * (k[j * nKV * hd + kvh * hd + d] as number);
          return s * scale;
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        allowed.forEach((j, n) => {
          const w = (e[n] as number) / z;
          for (let d = 0; d < hd; d++) attn[i * nH * hd + head * hd + d] = (attn[i * nH * hd + head * hd + d] as number) + w * (v[j * nKV * hd + kvh * hd + d] as number);
        });
      }
    }
    const o = proj(attn, nH * hd, `${p}.self_attn.o_proj`, H, c.oProjBias);
    h = h.map((val, i) => val + (o[i] as number));
    const y = rmsNormRows(h, S, H, tensor(t, `${p}.post_attention_layernorm.weight`), c.rmsNormEps);
    const gate = proj(y, H, `${p}.mlp.gate_proj`, I, c.mlpBias);
    const up = proj(y, H, `${p}.mlp.up_proj`, I, c.mlpBias);
    const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * (up[i] as number));
    const down = proj(act, I, `${p}.mlp.down_proj`, H, c.mlpBias);
    h = h.map((val, i) => val + (down[i] as number));
  }
  const hidden = rmsNormRows(h, S, H, tensor(t, 'model.norm.weight'), c.rmsNormEps);
  const head = c.tieWordEmbeddings ? embed : tensor(t, 'lm_head.weight');
  return { hidden, logits: linearRows(hidden, S, H, head, V, undefined, undefined) };
}

/** log-softmax of one logit row, in float64. */
export function logSoftmaxRow(logits: Float64Array, offset: number, V: number): Float64Array {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v] as number);
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp((logits[offset + v] as number) - max);
  const lse = max + Math.log(z);
  const out = new Float64Array(V);
  for (let v = 0; v < V; v++) out[v] = (logits[offset + v] as number) - lse;
  return out;
}
