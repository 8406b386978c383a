/** "Did you mean" suggestions for mistyped names (recipes, items, config keys). */

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * Candidates close to `input`: within an edit distance that grows with the length, or
 * sharing a prefix/suffix (so `ed` finds `sources/ed`). Best first, at most `limit`.
 */
export function suggest(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase();
    const distance = editDistance(needle, hay);
    const allowed = Math.max(2, Math.floor(Math.max(needle.length, 1) / 3));
    const tail = hay.split('/').pop() ?? hay;
    if (distance <= allowed) scored.push({ candidate, score: distance });
    else if (tail === needle || hay.endsWith(`/${needle}`)) scored.push({ candidate, score: 0.5 });
    else if (needle.length >= 3 && (hay.includes(needle) || needle.includes(tail))) scored.push({ candidate, score: allowed + 1 });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** " Did you mean 'x' or 'y'?" or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const found = suggest(input, candidates);
  if (found.length === 0) return '';
  return ` Did you mean ${found.map((f) => `'${f}'`).join(' or ')}?`;
}
