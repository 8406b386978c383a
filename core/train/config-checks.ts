/**
 * Checks across a training block's keys that no single option's schema can make, run while the
 * config is validated (so `attune validate` and the first second of `run` catch them, with the
 * key path) instead of minutes later when the sampler or the loss is built.
 */
import type { z } from 'zod';
import type { ItemRef } from '../kernel/config/item-ref.js';
import { isActiveWeight } from './objective.js';
import { sourceName } from './recipe-inputs.js';

interface TrainingBlock {
  sources?: readonly ItemRef<'sources'>[];
  objectives?: readonly ItemRef<'objectives'>[];
  trainer?: ItemRef<'trainers'>;
}

type KeyPath = (string | number)[];

/**
 * For a recipe config's `.superRefine` on a block of `sources`, `objectives` and `trainer`
 * (the sources may come from elsewhere, e.g. `data.sources`); `paths` says where the objectives
 * and the trainer are when not at the block's top.
 */
export function checkTrainingBlock(block: TrainingBlock, ctx: z.RefinementCtx, paths: { objectives?: KeyPath; trainer?: KeyPath } = {}): void {
  const { objectives: objectivesPath = ['objectives'], trainer: trainerPath = ['trainer'] } = paths;
  const objectives = block.objectives ?? [];
  if (objectives.length > 0 && !objectives.some((ref) => isActiveWeight(ref.options.weight))) {
    ctx.addIssue({ code: 'custom', path: objectivesPath, message: 'every objective has weight 0, so nothing would be trained; give at least one a weight above 0' });
  }
  const sampling = block.trainer?.options.sampling as { kind?: unknown; weights?: Record<string, number> } | undefined;
  if (!block.sources || sampling?.kind !== 'mixture' || !sampling.weights) return;
  const names = block.sources.map(sourceName);
  const weightsPath = [...trainerPath, 'options', 'sampling', 'weights'];
  const given = Object.keys(sampling.weights);
  for (const key of given) {
    if (!names.includes(key)) ctx.addIssue({ code: 'custom', path: [...weightsPath, key], message: `no source is named '${key}'; the sources are ${names.join(', ')}` });
  }
  const missing = names.filter((name) => !given.includes(name));
  if (missing.length > 0) ctx.addIssue({ code: 'custom', path: weightsPath, message: `weights are given for some sources but not for ${missing.join(', ')}; give every source a weight, or none to mix by size^alpha` });
  if (!Object.values(sampling.weights).some((w) => w > 0)) ctx.addIssue({ code: 'custom', path: weightsPath, message: 'every mixture weight is 0, so no source could be drawn; give at least one a weight above 0' });
}
