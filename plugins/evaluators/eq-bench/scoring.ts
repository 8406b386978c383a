/**
 * EQ-Bench's prompt handling, parsing and scoring, as the official harness does them (rules in
 * the project's ECOSYSTEM-FACTS and the questions' SOURCE.md):
 * - revision off: the critique/revise sentence, the "First pass scores:" heading and everything
 *   from the critique up to "[End of answer]" are cut, and "\nYour answer:\n" appended;
 * - parsing: markdown `*` and `#` stripped, then every `Word: 12` pair (English: integers, a space
 *   after the colon; German: labels with umlauts and spaces, bold numbers, decimal commas); the
 *   last duplicate wins; with revision on, the first-pass and revised sections separately;
 * - an answer counts only with exactly the four reference emotions (case-sensitive) and a
 *   positive total;
 * - v2 full scale: S = 10 − 0.7477 · Σ f(|answer − reference|), f(0) = 0,
 *   f(d) = 6.5 / (1 + e^(−1.2(d − 4))) for 0 < d ≤ 5, f(d) = d above;
 * - v1: answers normalized to sum 10, S = 10 − Σ |answer − reference|;
 * - the benchmark score is 10 × the mean S over parseable questions; fewer than 83.33 %
 *   parseable questions fails the run.
 */
export type EqBenchVersion = 'v2' | 'v1' | 'v2-de';

export interface EqBenchQuestion {
  readonly id: string;
  readonly prompt: string;
  /** The four emotions and the reference scores the version scores against. */
  readonly reference: readonly { readonly emotion: string; readonly score: number }[];
}

export const PARSEABLE_THRESHOLD = 0.8333;

const REVISE_SENTENCE: Record<'en' | 'de', string> = {
  en: ' Then critique your answer by thinking it through step by step. Finally, give your revised scores.',
  de: '',
};

/** The prompt the model is given. */
export function eqBenchPrompt(prompt: string, language: 'en' | 'de', revise: boolean): string {
  if (revise) return prompt;
  if (language === 'en') {
    let p = prompt.replace(REVISE_SENTENCE.en, '').replace('First pass scores:\n', '');
    p = `${p.slice(0, p.indexOf('Critique: <your critique here>'))}\n${p.slice(p.indexOf('[End of answer]'))}`;
    return `${p}\nYour answer:\n`;
  }
  // German: the scoring sentence is rewritten without the revision request (its wording varies across questions).
  const start = prompt.indexOf('Geben Sie jeder dieser möglichen Emotionen');
  let p = prompt;
  if (start >= 0) {
    const end = prompt.indexOf('\n', start);
    p = `${prompt.slice(0, start)}Geben Sie jeder dieser möglichen Emotionen eine Punktzahl von 0-10 für die relative Intensität, die sie wahrscheinlich fühlen werden.${prompt.slice(end)}`;
  }
  p = p.replace('Erste Bewertung:\n', '');
  p = `${p.slice(0, p.indexOf('Kritik: <Ihre Kritik hier>'))}\n${p.slice(p.indexOf('[Ende der Antwort]'))}`;
  return `${p}\nIhre Antwort:\n`;
}

export type ParsedScores = Map<string, number>;

function pairsEn(text: string): ParsedScores {
  const out: ParsedScores = new Map();
  for (const m of text.matchAll(/(\w+):\s+(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

function pairsDe(text: string): ParsedScores {
  const out: ParsedScores = new Map();
  for (const m of text.matchAll(/([a-zA-ZäöüßÄÖÜ\s]+):\s*\**(\d+(?:,\d+)?)\**/g)) out.set(m[1]!.trim(), Number(m[2]!.replace(',', '.')));
  return out;
}

/** First-pass (and, with revision on, revised) scores found in a model's answer. */
export function parseEqBenchAnswer(text: string, language: 'en' | 'de', revise: boolean): { firstPass: ParsedScores; revised: ParsedScores } {
  const clean = text.replaceAll('*', '').replaceAll('#', '');
  const pairs = language === 'en' ? pairsEn : pairsDe;
  if (!revise) return { firstPass: pairs(clean), revised: new Map() };
  if (language === 'en') {
    const first = /First pass scores:([\s\S]*?)Revised scores:/.exec(clean);
    const revised = /Revised scores:([\s\S]*?)$/.exec(clean);
    return { firstPass: first ? pairs(first[1]!) : new Map(), revised: revised ? pairs(revised[1]!) : new Map() };
  }
  const first = /(Erste.*?):\s*([\s\S]*?)(?=Überarbeitete|$)/i.exec(clean);
  const revised = /(Überarbeitete.*?):\s*([\s\S]*)/i.exec(clean);
  return { firstPass: first ? pairs(first[2]!) : new Map(), revised: revised ? pairs(revised[2]!) : new Map() };
}

/** The cost of being `d` points off on one emotion (v2). */
export function fullScaleCost(d: number): number {
  if (d === 0) return 0;
  if (d <= 5) return 6.5 / (1 + Math.exp(-1.2 * (d - 4)));
  return d;
}

/** A question's score from parsed answers, or null when the answer does not count. */
export function scoreEqBenchAnswer(parsed: ParsedScores, question: EqBenchQuestion, version: EqBenchVersion): number | null {
  if (parsed.size !== 4) return null;
  const answers = question.reference.map((r) => parsed.get(r.emotion));
  if (answers.some((a) => a === undefined)) return null;
  const total = (answers as number[]).reduce((s, a) => s + a, 0);
  if (total <= 0) return null;
  if (version === 'v1') {
    const normalized = (answers as number[]).map((a) => (a * 10) / total);
    return 10 - normalized.reduce((s, a, j) => s + Math.abs(a - question.reference[j]!.score), 0);
  }
  const cost = (answers as number[]).reduce((s, a, j) => s + fullScaleCost(Math.abs(a - question.reference[j]!.score)), 0);
  return 10 - 0.7477 * cost;
}

export interface EqBenchAggregate {
  /** 10 × mean question score over parseable questions, 2 decimals; null when none parsed. */
  readonly score: number | null;
  readonly parseable: number;
  readonly questions: number;
  readonly parseRate: number;
  /** Fewer than 83.33 % parseable: the run does not count. */
  readonly failed: boolean;
}

export function aggregateEqBench(scores: readonly (number | null)[]): EqBenchAggregate {
  const counted = scores.filter((s): s is number => s !== null);
  const parseRate = scores.length === 0 ? 0 : counted.length / scores.length;
  const mean = counted.length === 0 ? null : counted.reduce((a, b) => a + b, 0) / counted.length;
  return { score: mean === null ? null : Math.round(mean * 10 * 100) / 100, parseable: counted.length, questions: scores.length, parseRate, failed: parseRate < PARSEABLE_THRESHOLD };
}
