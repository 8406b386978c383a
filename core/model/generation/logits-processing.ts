/**
 * Choosing the next token from a row of logits, with Hugging Face `generate` semantics:
 * repetition penalty (a processor, also before greedy), then temperature, top-k and top-p
 * (warpers, sampling only), then a draw from the softmax.
 */
import type { Xoshiro128 } from '../../base/rng.js';

export interface SamplingSettings {
  /** false: greedy (argmax after the repetition penalty). */
  readonly doSample: boolean;
  readonly temperature: number;
  /** 0 disables. */
  readonly topK: number;
  /** 1 disables. */
  readonly topP: number;
  /** 1 disables. */
  readonly repetitionPenalty: number;
}

/**
 * HF RepetitionPenaltyLogitsProcessor: every distinct token already in the sequence has its logit
 * divided by the penalty when positive and multiplied by it when negative. In place.
 */
export function applyRepetitionPenalty(logits: Float32Array, seen: ReadonlySet<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    const v = logits[id] as number;
    logits[id] = v < 0 ? v * penalty : v / penalty;
  }
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Candidates that survive temperature, top-k and top-p, with their unnormalized probabilities
 * (float64). HF keeps ties at the k-th value and, for top-p, the smallest set of most likely tokens
 * whose mass reaches top_p (at least one token).
 */
export function filteredCandidates(logits: Float32Array, s: SamplingSettings): { ids: Int32Array; weights: Float64Array } {
  const n = logits.length;
  const invT = 1 / s.temperature;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(((logits[i] as number) - max) * invT);
    p[i] = e;
    total += e;
  }
  // Top-k keeps every token at or above the k-th largest weight (ties included). Without it, HF's
  // top-p drops the low tail whose cumulative mass is ≤ 1 − top_p; every token below
  // (1 − top_p)/V is in that tail (together they weigh less), so only the rest needs sorting.
  let floor = Number.MIN_VALUE;
  const topK = s.topK > 0 && s.topK < n;
  if (topK) floor = kthLargest(p, s.topK);
  else if (s.topP < 1) floor = Math.max(floor, ((1 - s.topP) / n) * total);
  let count = 0;
  // Mass below the floor: without top-k, the start of top-p's dropped tail.
  let below = 0;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if ((p[i] as number) >= floor) ids[count++] = i;
    else below += p[i] as number;
  }
  // Only top-p needs the candidates in order; sampling itself does not (sorting 50k candidates per
  // row per step would cost more than the batched forward).
  if (s.topP >= 1) {
    const kept = ids.slice(0, count);
    const weights = new Float64Array(count);
    for (let j = 0; j < count; j++) weights[j] = p[kept[j] as number] as number;
    return { ids: kept, weights };
  }
  const sorted = ids.subarray(0, count).sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
  let keep = count;
  let kept = 0;
  for (let j = 0; j < keep; j++) kept += p[sorted[j] as number] as number;
  // Walk up from the least likely kept token, dropping while the dropped mass stays ≤ 1 − top_p
  // of the distribution top-p sees: the top-k survivors (renormalized), else every token, whose
  // tail below the floor is dropped already.
  const limit = topK ? (1 - s.topP) * kept : (1 - s.topP) * (kept + below);
  let dropped = topK ? 0 : below;
  while (keep > 1) {
    const next = dropped + (p[sorted[keep - 1] as number] as number);
    if (next > limit) break;
    dropped = next;
    keep--;
  }
  const out = Int32Array.from(sorted.subarray(0, keep));
  const weights = new Float64Array(keep);
  for (let j = 0; j < keep; j++) weights[j] = p[out[j] as number] as number;
  return { ids: out, weights };
}

/** The k-th largest value of `p` (k ≤ p.length), with a size-k min-heap: O(n log k). */
function kthLargest(p: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && (heap[l] as number) < (heap[m] as number)) m = l;
      if (r < size && (heap[r] as number) < (heap[m] as number)) m = r;
      if (m === i) return;
      const t = heap[i] as number;
      heap[i] = heap[m] as number;
      heap[m] = t;
      i = m;
    }
  };
  for (const v of p) {
    if (size < k) {
      let i = size++;
      heap[i] = v;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((heap[parent] as number) <= (heap[i] as number)) break;
        const t = heap[i] as number;
        heap[i] = heap[parent] as number;
        heap[parent] = t;
        i = parent;
      }
    } else if (v > (heap[0] as number)) {
      heap[0] = v;
      siftDown(0);
    }
  }
  return heap[0] as number;
}

/** A chosen token with its log-probability under the distribution it was drawn from. */
export interface ChosenToken {
  readonly token: number;
  /**
   * Greedy: log-softmax of the logits after the repetition penalty (temperature 1). Sampling: log
   * of its probability after the penalty, temperature, top-k and top-p, renormalized over the
   * surviving candidates (the distribution the draw used).
   */
  readonly logProb: number;
}

/** Log-softmax of `logits` at `id`, in float64. */
export function logSoftmaxAt(logits: Float32Array, id: number, temperature = 1): number {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let z = 0;
  for (const v of logits) z += Math.exp((v - max) / temperature);
  return ((logits[id] as number) - max) / temperature - Math.log(z);
}

/**
 * Whether pickToken's log-prob under `s` already is log softmax(logits / T): sampling at that
 * temperature from the whole, unpenalized softmax (a GRPO rollout's usual settings), so a caller
 * that wants the policy's log-probs needs no second pass over the vocabulary.
 */
export function scoredAsDrawn(s: SamplingSettings, temperature: number): boolean {
  return s.doSample && s.temperature === temperature && s.topK === 0 && s.topP >= 1 && s.repetitionPenalty === 1;
}

/** The next token of one row and its log-probability. `logits` is modified (repetition penalty). */
export function pickToken(logits: Float32Array, seen: ReadonlySet<number>, s: SamplingSettings, rng: Xoshiro128): ChosenToken {
  applyRepetitionPenalty(logits, seen, s.repetitionPenalty);
  if (!s.doSample) {
    const token = argmax(logits);
    return { token, logProb: logSoftmaxAt(logits, token) };
  }
  if (s.topK === 0 && s.topP >= 1) return sampleFull(logits, 1 / s.temperature, rng);
  const { ids, weights } = filteredCandidates(logits, s);
  let total = 0;
  for (const w of weights) total += w;
  const chosen = (j: number): ChosenToken => ({ token: ids[j] as number, logProb: Math.log(weights[j] as number) - Math.log(total) });
  let r = rng.nextFloat() * total;
  for (let j = 0; j < ids.length; j++) {
    r -= weights[j] as number;
    if (r < 0) return chosen(j);
  }
  return chosen(ids.length - 1);
}

let weightBuffer = new Float64Array(0);

/**
 * Sampling from the whole softmax (no top-k, no top-p) without candidate arrays: the same draw as
 * filteredCandidates + the walk in pickToken (tokens in id order, r = u·Σw), in two passes over a
 * reused buffer — at batch 32 and a 50k vocabulary the per-row arrays cost as much as the forward.
 */
function sampleFull(logits: Float32Array, invT: number, rng: Xoshiro128): ChosenToken {
  const n = logits.length;
  if (weightBuffer.length < n) weightBuffer = new Float64Array(n);
  const w = weightBuffer;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(((logits[i] as number) - max) * invT);
    w[i] = e;
    total += e;
  }
  let r = rng.nextFloat() * total;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const e = w[i] as number;
    // filteredCandidates drops weights that underflow to 0; so does this walk.
    if (e < Number.MIN_VALUE) continue;
    last = i;
    r -= e;
    if (r < 0) return { token: i, logProb: Math.log(e) - Math.log(total) };
  }
  return { token: last, logProb: Math.log(w[last] as number) - Math.log(total) };
}

