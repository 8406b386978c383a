/** Min and median of repeated timings: the min is the least noisy figure on a shared VM. */
export function stats(samples: readonly number[]): { min: number; median: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0] as number, median: s[Math.floor(s.length / 2)] as number };
}

/** One decimal, for printed figures. */
export const r1 = (x: number): number => Math.round(x * 10) / 10;
