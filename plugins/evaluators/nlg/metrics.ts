/**
 * Reference-based text metrics, corpus-level as the papers and their reference code define them:
 * - BLEU-n (Papineni et al. 2002; NLTK's corpus_bleu): clipped n-gram matches and hypothesis
 *   n-grams summed over the corpus per order, uniform weights over orders 1…n, brevity penalty
 *   from the total hypothesis length against the summed closest reference lengths (ties → the
 *   shorter reference); an order with no match gives 0 (NLTK without smoothing: ≈ 1e-77);
 * - ROUGE-L with β = 1.2 (ESConv's and pycocoevalcap's code): per response the LCS precision and
 *   recall, the best over its references each, F = (1 + β²)PR / (R + β²P); the corpus mean;
 * - Distinct-n (Li et al. 2016): distinct n-grams / all n-grams over all responses.
 */
/** Lowercased words and punctuation marks, the tokens every metric here counts. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu) ?? [];
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

export interface BleuResult {
  readonly bleu: number;
  /** Modified precision per order (1…n). */
  readonly precisions: number[];
  readonly brevityPenalty: number;
  readonly hypothesisLength: number;
  readonly referenceLength: number;
}

export function corpusBleu(hypotheses: readonly (readonly string[])[], references: readonly (readonly (readonly string[])[])[], maxOrder = 4): BleuResult {
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let c = 0;
  let r = 0;
  hypotheses.forEach((hyp, i) => {
    const refs = references[i]!;
    c += hyp.length;
    // The closest reference length; ties go to the shorter one.
    r += refs.map((x) => x.length).reduce((best, len) => (Math.abs(len - hyp.length) < Math.abs(best - hyp.length) || (Math.abs(len - hyp.length) === Math.abs(best - hyp.length) && len < best) ? len : best), Number.POSITIVE_INFINITY);
    for (let n = 1; n <= maxOrder; n++) {
      const counts = ngrams(hyp, n);
      const maxRef = new Map<string, number>();
      for (const ref of refs) for (const [k, v] of ngrams(ref, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, v));
      for (const [k, v] of counts) matches[n - 1]! += Math.min(v, maxRef.get(k) ?? 0);
      totals[n - 1]! += Math.max(0, hyp.length - n + 1);
    }
  });
  const precisions = matches.map((m, k) => (totals[k] === 0 ? 0 : m / totals[k]!));
  const brevityPenalty = c === 0 ? 0 : c > r ? 1 : Math.exp(1 - r / c);
  const bleu = precisions.some((p) => p === 0) ? 0 : brevityPenalty * Math.exp(precisions.reduce((s, p) => s + Math.log(p), 0) / maxOrder);
  return { bleu, precisions, brevityPenalty, hypothesisLength: c, referenceLength: r };
}

function lcs(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export const ROUGE_BETA = 1.2;

/** ROUGE-L F of one response against its references. */
export function rougeL(hypothesis: readonly string[], references: readonly (readonly string[])[], beta = ROUGE_BETA): number {
  if (hypothesis.length === 0) return 0;
  let precision = 0;
  let recall = 0;
  for (const ref of references) {
    if (ref.length === 0) continue;
    const l = lcs(hypothesis, ref);
    precision = Math.max(precision, l / hypothesis.length);
    recall = Math.max(recall, l / ref.length);
  }
  if (precision === 0 || recall === 0) return 0;
  return ((1 + beta * beta) * precision * recall) / (recall + beta * beta * precision);
}

export function distinct(hypotheses: readonly (readonly string[])[], n: number): number {
  const all = new Set<string>();
  let total = 0;
  for (const h of hypotheses) {
    for (const [k, v] of ngrams(h, n)) {
      all.add(k);
      total += v;
    }
  }
  return total === 0 ? 0 : all.size / total;
}
