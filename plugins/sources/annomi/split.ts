/**
 * AnnoMI has no official splits. A transcript's split comes from a seeded hash of its id
 * alone: sha256(`annomi-split:<seed>:<transcript_id>`) read as a number in [0, 1), cut at the
 * cumulative ratios (default train 0.8, validation 0.1, test 0.1). So no transcript spans two
 * splits, and a transcript lands in the same split whichever other transcripts are loaded
 * (the shipped slice agrees with the full data). The cost is that counts only approximate
 * the ratios: with seed 0 the 133 transcripts give train 108 (16 low-quality), validation
 * 11 (2 low), test 14 (5 low).
 */
import { createHash } from 'node:crypto';

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

export function transcriptSplit(transcriptId: string, seed: number, ratios: SplitRatios): 'train' | 'validation' | 'test' {
  const digest = createHash('sha256').update(`annomi-split:${seed}:${transcriptId}`).digest();
  const position = digest.readUInt32BE(0) / 2 ** 32;
  const total = ratios.train + ratios.validation + ratios.test;
  if (position < ratios.train / total) return 'train';
  if (position < (ratios.train + ratios.validation) / total) return 'validation';
  return 'test';
}
