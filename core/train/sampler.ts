/**
 * The example stream of an SFT stage: a temperature mixture or a curriculum over the sources,
 * behind one interface whose state goes into checkpoints.
 */
import { CurriculumSampler } from '../data/sampling/curriculum-sampler.js';
import type { CurriculumSamplerState } from '../data/sampling/curriculum-sampler.js';
import { Curriculum } from '../data/sampling/curriculum.js';
import type { CurriculumConfig } from '../data/sampling/curriculum-schema.js';
import { MixtureSampler } from '../data/sampling/mixture-sampler.js';
import type { MixtureSamplerState } from '../data/sampling/mixture-sampler.js';
import { AttuneError } from '../base/errors.js';

export interface StageSampler {
  /** The next draw: source name and example index within it. */
  next(): { sourceName: string; index: number };
  /** Learning-rate multiplier at a 0-based optimizer step (curriculum phases; 1 otherwise). */
  lrMultiplier(step: number): number;
  /** Optimizer steps the plan lays out (a curriculum's phases); absent for an open-ended mixture. */
  readonly plannedSteps?: number;
  state(): unknown;
  restore(state: unknown, what: string): void;
}

export type SamplingPlan =
  | { readonly kind: 'mixture'; readonly alpha: number; readonly weights?: Readonly<Record<string, number>> }
  | { readonly kind: 'curriculum'; readonly config: CurriculumConfig; readonly origin: string };

export function createStageSampler(plan: SamplingPlan, sizes: Readonly<Record<string, number>>, seed: number, examplesPerStep: number): StageSampler {
  if (plan.kind === 'mixture') {
    const names = Object.keys(sizes);
    if (plan.weights) {
      const unknown = Object.keys(plan.weights).filter((n) => !names.includes(n));
      if (unknown.length) throw new AttuneError(`sampling.weights names ${unknown.join(', ')}, which the recipe does not load (sources: ${names.join(', ')}).`);
    }
    const sampler = new MixtureSampler({
      sources: names.map((name) => ({ name, size: sizes[name] as number, ...(plan.weights ? { weight: plan.weights[name] ?? 0 } : {}) })),
      alpha: plan.alpha,
      seed,
    });
    return {
      next: () => sampler.next(),
      lrMultiplier: () => 1,
      state: () => sampler.state(),
      restore: (state, what) => sampler.restore(state as MixtureSamplerState, what),
    };
  }
  const curriculum = new Curriculum(plan.config, { examplesPerStep, origin: plan.origin });
  const sampler = new CurriculumSampler({ curriculum, sizes, seed });
  return {
    next: () => sampler.next(),
    lrMultiplier: (step) => sampler.phaseAt(step).lrMultiplier,
    plannedSteps: curriculum.totalSteps,
    state: () => sampler.state(),
    restore: (state, what) => sampler.restore(state as CurriculumSamplerState, what),
  };
}
