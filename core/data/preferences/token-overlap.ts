/**
 * Lexical similarity of two utterances: Jaccard overlap of their content words (lower-cased,
 * common function words removed). Crude, but cheap, deterministic and language-model free.
 */
const functionWords = new Set(
  'a an and are as at be but by do for from have he her his i if in is it its me my no not of on or our she so that the their them they this to uh um us was we were what with you your yeah okay oh mm hmm'.split(' '),
);

export function contentWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  return new Set(words.map((w) => w.replace(/'/g, '')).filter((w) => w.length > 1 && !functionWords.has(w)));
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}
