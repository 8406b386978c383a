/**
 * The reference's Σ log π of each pair's two completions, computed with the adapter as the stage
 * began. Precomputed (TRL's `precompute_ref_log_probs`), they are scored once for every pair and
 * kept in `<stage>/reference-logps.json` beside the reference adapter, so a resumed run reads
 * them instead of scoring again. The file names the pairs it holds (a digest of their token ids):
 * different data is scored afresh with the saved reference adapter, never misread.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../../base/atomic-write.js';
import type { DecoderConfig } from '../../model/folder/config.js';
import type { AdapterValues, PreferenceModel, ReferenceLogProbs } from './preference-model.js';
import { chunkPairs, preferencePairBatch } from './preference-pairs.js';
import type { PairBatchShape, PreferencePair } from './preference-pairs.js';

/** Σ log π_ref [chosen, rejected] per pair, aligned with the pairs. */
export type PairLogProbs = readonly (readonly [number, number])[];

export function pairsDigest(pairs: readonly PreferencePair[]): string {
  const hash = createHash('sha256');
  for (const p of pairs) hash.update(`${p.id}\u0000${p.chosen.inputIds.join(',')}\u0000${p.chosen.labels.join(',')}\u0000${p.rejected.inputIds.join(',')}\u0000${p.rejected.labels.join(',')}\n`);
  return hash.digest('hex');
}

/** Scores pairs under `adapter`, `pairsPerRun` pairs per session run. */
export async function scorePairs(model: PreferenceModel, pairs: readonly PreferencePair[], adapter: AdapterValues, shape: PairBatchShape & { readonly pairsPerRun: number }, config: DecoderConfig): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for (const chunk of chunkPairs(pairs, shape.pairsPerRun)) {
    const values = await model.sequenceLogProbs(preferencePairBatch(chunk, shape, config), adapter);
    chunk.forEach((_, p) => out.push([values[p]!, values[chunk.length + p]!]));
  }
  return out;
}

/** The pairs' rows of `all` (indices into it), as the graph's feeds. */
export function referenceFor(all: PairLogProbs, indices: readonly number[]): ReferenceLogProbs {
  return { chosen: Float32Array.from(indices, (i) => all[i]![0]), rejected: Float32Array.from(indices, (i) => all[i]![1]) };
}

interface CacheFile {
  readonly version: 1;
  readonly sets: Record<string, { readonly digest: string; readonly logps: PairLogProbs }>;
}

/** Reads the cached log-probs of each named pair set, scoring (and caching) the ones missing or stale. */
export async function cachedReferenceLogProbs(
  file: string,
  sets: Readonly<Record<string, readonly PreferencePair[]>>,
  score: (pairs: readonly PreferencePair[]) => Promise<PairLogProbs>,
  log: (message: string) => void,
): Promise<Record<string, PairLogProbs>> {
  let cache: CacheFile = { version: 1, sets: {} };
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
      if (parsed.version === 1 && typeof parsed.sets === 'object') cache = parsed;
    } catch {
      log(`${file} is not readable JSON; scoring the reference again`);
    }
  }
  const out: Record<string, PairLogProbs> = {};
  let changed = false;
  for (const [name, pairs] of Object.entries(sets)) {
    const digest = pairsDigest(pairs);
    const hit = cache.sets[name];
    if (hit && hit.digest === digest && hit.logps.length === pairs.length) {
      out[name] = hit.logps;
      continue;
    }
    if (hit) log(`${file}: the cached ${name} pairs differ from this run's; scoring them again with the reference adapter`);
    const t0 = performance.now();
    out[name] = await score(pairs);
    log(`reference log-probs of ${pairs.length} ${name} pairs scored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    cache = { version: 1, sets: { ...cache.sets, [name]: { digest, logps: out[name] } } };
    changed = true;
  }
  if (changed) await writeJsonAtomic(file, cache);
  return out;
}
