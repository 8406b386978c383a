/**
 * Decides whether a user's message is high-risk (suicide, self-harm, means, abuse, harm to
 * others), from the lexicon in risk-lexicon.ts plus a config's own patterns, and says why.
 *
 * Order matters: figures of speech and negations are masked out of the text first ("this exam is
 * killing me", "I'm not suicidal"); then each sentence is matched; a match in a sentence told as
 * fiction, or told in the past in a message that also says the person has recovered, is set aside
 * — unless it is a direct first-person statement outside such a sentence.
 */
import { DEFAULT_FICTION, DEFAULT_HYPERBOLE, DEFAULT_NEGATIONS, DEFAULT_PAST, DEFAULT_RECOVERY, DEFAULT_RISK_PATTERNS } from './risk-lexicon.js';
import type { RiskCategory, RiskPattern } from './risk-lexicon.js';

export interface RiskAssessment {
  readonly high: boolean;
  /** The first category found (means and plans outrank ideation: they are checked first). */
  readonly category?: RiskCategory;
  /** Every category found. */
  readonly categories: readonly RiskCategory[];
  /** The text that matched, as normalized. */
  readonly matched?: string;
  /** One line for the intervention's reason and the logs. */
  readonly reason: string;
  /** Matches set aside, and why (for the trace). */
  readonly setAside: readonly string[];
}

export interface RiskLexicon {
  readonly patterns: readonly RiskPattern[];
  readonly hyperbole: readonly RegExp[];
  readonly negations: readonly RegExp[];
  readonly fiction: readonly RegExp[];
  readonly past: readonly RegExp[];
  readonly recovery: readonly RegExp[];
}

export const DEFAULT_LEXICON: RiskLexicon = {
  patterns: DEFAULT_RISK_PATTERNS,
  hyperbole: DEFAULT_HYPERBOLE,
  negations: DEFAULT_NEGATIONS,
  fiction: DEFAULT_FICTION,
  past: DEFAULT_PAST,
  recovery: DEFAULT_RECOVERY,
};

/** Most urgent first: a method or a plan to hurt someone outranks ideation alone. */
const PRIORITY: readonly RiskCategory[] = ['means', 'harm-to-others', 'suicide', 'self-harm', 'abuse'];

export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function mask(text: string, patterns: readonly RegExp[]): string {
  let out = text;
  for (const pattern of patterns) {
    const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    out = out.replace(global, (m) => ' '.repeat(m.length));
  }
  return out;
}

/** Sentences, keeping quoted speech inside the sentence that quotes it. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?;\n])\s+|\s+-\s+/).filter((s) => s.trim() !== '');
}

// Frame and risk patterns carry no `g` flag (stateless `test`/`exec`); only the masks are global.
const any = (patterns: readonly RegExp[], text: string): boolean => patterns.some((p) => p.test(text));

export function assessRisk(message: string, lexicon: RiskLexicon = DEFAULT_LEXICON): RiskAssessment {
  const normalized = normalizeText(message);
  const masked = mask(mask(normalized, lexicon.hyperbole), lexicon.negations);
  const fictionFrame = any(lexicon.fiction, masked);
  const recovered = any(lexicon.recovery, masked);
  const found = new Map<RiskCategory, string>();
  const setAside: string[] = [];
  for (const sentence of sentences(masked)) {
    const fictionSentence = any(lexicon.fiction, sentence) || /"[^"]*"/.test(sentence);
    const pastSentence = any(lexicon.past, sentence);
    for (const risk of lexicon.patterns) {
      const m = risk.pattern.exec(sentence);
      if (!m) continue;
      const text = m[0].trim();
      if (fictionFrame && (fictionSentence || !risk.direct)) {
        setAside.push(`'${text}' (${risk.category}) is in a fictional frame`);
        continue;
      }
      if (pastSentence && recovered) {
        setAside.push(`'${text}' (${risk.category}) is told in the past, and the message says the person has recovered`);
        continue;
      }
      if (!found.has(risk.category)) found.set(risk.category, text);
    }
  }
  const categories = PRIORITY.filter((c) => found.has(c));
  const category = categories[0];
  if (category === undefined) return { high: false, categories, reason: setAside.length ? `no risk: ${setAside.join('; ')}` : 'no risk phrase found', setAside };
  const matched = found.get(category)!;
  return { high: true, category, categories, matched, reason: `${category}: '${matched}'`, setAside };
}
