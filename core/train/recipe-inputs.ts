/**
 * What training recipes load before a stage, the same way in each: the objectives that have a
 * weight (a weight-0 term is never built: no head, no reference forward), and each source's train
 * split beside its held-out split.
 */
import type { ItemRef } from '../kernel/config/item-ref.js';
import type { RunContext } from '../kernel/runs/run-context.js';
import type { CanonicalExample } from '../kernel/extension-points/example.js';
import type { Objective } from '../kernel/extension-points/objective.js';
import { isActiveWeight } from './objective.js';
import { RecipeError } from '../base/errors.js';
import { didYouMean } from '../base/suggest.js';
import { normalizeSplit } from '../data/formats/index.js';
import { overlapWarning, overlapWith } from '../data/duplicates.js';
import type { SourceSplit } from './sft-data.js';

/** The objectives whose weight is not 0, created; the others are logged as not built. */
export async function activeObjectives<T extends Objective = Objective>(run: RunContext, refs: readonly ItemRef<'objectives'>[]): Promise<T[]> {
  const built: T[] = [];
  for (const ref of refs) {
    if (!isActiveWeight(ref.options.weight)) {
      run.log(`${ref.use}: weight 0, not built`);
      continue;
    }
    // The config validator has checked that every objective is of its trainer's kind.
    built.push((await run.create(ref)) as T);
  }
  return built;
}

/** The source's name in mixtures and curricula: the item name (`sources/esconv` → `esconv`). */
export const sourceName = (ref: ItemRef<'sources'>): string => ref.use.slice(ref.use.lastIndexOf('/') + 1);

export interface LoadedSplits {
  readonly train: SourceSplit[];
  /** The held-out split of each source that has one. */
  readonly eval: SourceSplit[];
}

/** Each source's train split and its `evalSplit`; a source without that split is warned about and not evaluated. */
export async function loadSourceSplits(run: RunContext, refs: readonly ItemRef<'sources'>[], evalSplit: string): Promise<LoadedSplits> {
  const train: SourceSplit[] = [];
  const held: SourceSplit[] = [];
  const sources = [];
  for (const ref of refs) sources.push({ ref, source: await run.create(ref) });
  const split = normalizeSplit(evalSplit);
  // A split no source has is a misspelling, not a choice: a run that evaluates nothing would look fine.
  if (refs.length > 0 && !sources.some(({ source }) => source.splits.includes(split))) {
    const all = [...new Set(sources.flatMap(({ source }) => source.splits))];
    throw new RecipeError(`evalSplit '${evalSplit}': none of the sources (${refs.map((r) => r.use).join(', ')}) has such a split; they have ${all.join(', ')}.${didYouMean(evalSplit, all)}`, 'set trainer.options.evalSplit to one of those splits');
  }
  for (const { ref, source } of sources) {
    const name = sourceName(ref);
    const trainExamples = (await source.load({ split: 'train' })).examples;
    train.push({ name, examples: trainExamples });
    if (source.splits.includes(split)) {
      const heldExamples = (await source.load({ split })).examples;
      held.push({ name, examples: heldExamples });
      const shared = overlapWith(trainExamples, heldExamples);
      if (shared.count > 0) run.warn(`${ref.use}: ${overlapWarning(split, heldExamples.length, shared)}`);
    } else run.warn(`${ref.use} has no '${evalSplit}' split; it is not evaluated`);
  }
  return { train, eval: held };
}

/** The examples of every source together (preference pairs are not mixed by source). */
export const pooled = (splits: readonly SourceSplit[]): CanonicalExample[] => splits.flatMap((s) => s.examples);
