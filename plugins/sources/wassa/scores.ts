/**
 * The three WASSA turn-level targets, found by column name (their order differs between
 * releases and files), with the ranges the shared tasks used. Values are means of three
 * annotators, so fractions such as 2.6667 are normal; values outside the range are not.
 */
export const scoreKeys = ['emotion', 'emotionalPolarity', 'empathy'] as const;
export type ScoreKey = (typeof scoreKeys)[number];

export const scoreColumns: Record<ScoreKey, string> = {
  emotion: 'emotion',
  emotionalPolarity: 'emotionalpolarity',
  empathy: 'empathy',
};

export const scoreRanges: Record<ScoreKey, readonly [number, number]> = {
  emotion: [0, 5],
  emotionalPolarity: [0, 2],
  empathy: [0, 5],
};

/** Spellings the releases use for "no value" (2024 test gold: empty string; SelfDisclosure: NULL). */
const missingSpellings = new Set(['', 'null', 'nan', 'none', 'n/a']);

export function isMissing(text: string): boolean {
  return missingSpellings.has(text.trim().toLowerCase());
}

export type ScoreParse = { ok: true; value: number | undefined } | { ok: false; reason: string };

/** One score cell: missing is fine (undefined); text that is not a number, or out of range, is not. */
export function parseScore(key: ScoreKey, text: string): ScoreParse {
  if (isMissing(text)) return { ok: true, value: undefined };
  const value = Number(text.trim());
  if (!Number.isFinite(value)) return { ok: false, reason: `unparseable number '${text}' for ${key}` };
  const [low, high] = scoreRanges[key];
  if (value < low || value > high) return { ok: false, reason: `${key} ${value} is outside its scale ${low}–${high}` };
  return { ok: true, value };
}
