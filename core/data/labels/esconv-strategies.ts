/**
 * ESConv support strategies. The Hugging Face split files and the original-format
 * FailedESConv.json spell some strategies differently; every spelling found in the data
 * maps to the eight names of the HF release (see README.md for the census behind the table).
 */
export const esconvStrategyTaxonomy = 'esconv-8';

export const esconvStrategies = Object.freeze([
  'Question',
  'Restatement or Paraphrasing',
  'Reflection of feelings',
  'Self-disclosure',
  'Affirmation and Reassurance',
  'Providing Suggestions',
  'Information',
  'Others',
] as const);

/** Spelling (lower-cased, spaces collapsed) → canonical strategy. */
const spellings: ReadonlyMap<string, string> = new Map([
  ['question', 'Question'],
  ['questions', 'Question'],
  ['restatement or paraphrasing', 'Restatement or Paraphrasing'],
  ['restatement', 'Restatement or Paraphrasing'],
  ['reflection of feelings', 'Reflection of feelings'],
  ['self-disclosure', 'Self-disclosure'],
  ['self disclosure', 'Self-disclosure'],
  ['affirmation and reassurance', 'Affirmation and Reassurance'],
  ['approval and reassurance', 'Affirmation and Reassurance'],
  ['providing suggestions', 'Providing Suggestions'],
  // An annotator-guide name for giving suggestions; 11 turns in FailedESConv.json only.
  ['direct guidance', 'Providing Suggestions'],
  ['information', 'Information'],
  ['others', 'Others'],
  ['other', 'Others'],
]);

/** The canonical strategy for any known spelling, or undefined for an unknown one. */
export function normalizeEsconvStrategy(raw: string): string | undefined {
  return spellings.get(raw.trim().toLowerCase().replace(/\s+/g, ' '));
}

/** The normalization table, for documentation and `data inspect`. */
export function esconvStrategySpellings(): [spelling: string, strategy: string][] {
  return [...spellings.entries()];
}
