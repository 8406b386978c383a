/**
 * A validated curriculum laid out on the example axis. Lengths in steps become
 * steps × examplesPerStep examples, so `phaseAt(step)` (for the LR multiplier) and the
 * sampler (which counts examples) always agree on where a phase starts. After the last
 * phase ends, its weights and multiplier stay in force.
 */
import { AttuneError } from '../../base/errors.js';
import { parseCurriculum } from './curriculum-config.js';
import type { CurriculumConfig, CurriculumConfigInput } from './curriculum-schema.js';

export interface ResolvedPhase {
  readonly index: number;
  readonly name: string;
  /** Mixture weight per source, in `Curriculum.sources` order. */
  readonly weights: readonly number[];
  readonly lrMultiplier: number;
  /** First example of the phase (inclusive). */
  readonly startExample: number;
  /** First example after the phase (exclusive). */
  readonly endExample: number;
}

export interface CurriculumOptions {
  /** Examples per optimizer step (micro-batch size × accumulation steps). */
  readonly examplesPerStep: number;
  /** Names the config in errors (e.g. its file path). */
  readonly origin?: string;
}

export class Curriculum {
  readonly name: string;
  readonly sources: readonly string[];
  readonly phases: readonly ResolvedPhase[];
  readonly examplesPerStep: number;

  constructor(config: CurriculumConfig | CurriculumConfigInput, options: CurriculumOptions) {
    const { examplesPerStep } = options;
    if (!Number.isSafeInteger(examplesPerStep) || examplesPerStep < 1) {
      throw new AttuneError(`Curriculum: examplesPerStep must be an integer >= 1, got ${examplesPerStep}.`, 'It is the micro-batch size times the gradient-accumulation steps.');
    }
    const parsed = parseCurriculum(config, options.origin ?? 'config');
    this.name = parsed.name;
    this.sources = parsed.sources;
    this.examplesPerStep = examplesPerStep;
    let start = 0;
    this.phases = parsed.phases.map((phase, index) => {
      const length = phase.steps !== undefined ? phase.steps * examplesPerStep : (phase.examples as number);
      const resolved: ResolvedPhase = {
        index,
        name: phase.name,
        weights: parsed.sources.map((source) => phase.weights[source] ?? 0),
        lrMultiplier: phase.lrMultiplier,
        startExample: start,
        endExample: start + length,
      };
      start += length;
      return resolved;
    });
  }

  get totalExamples(): number {
    return (this.phases[this.phases.length - 1] as ResolvedPhase).endExample;
  }

  /** Optimizer steps to get through every phase. */
  get totalSteps(): number {
    return Math.ceil(this.totalExamples / this.examplesPerStep);
  }

  /** The phase the `example`-th drawn example (0-based) belongs to. */
  phaseAtExample(example: number): ResolvedPhase {
    if (!Number.isSafeInteger(example) || example < 0) throw new AttuneError(`Curriculum: example index must be an integer >= 0, got ${example}.`);
    for (const phase of this.phases) if (example < phase.endExample) return phase;
    return this.phases[this.phases.length - 1] as ResolvedPhase;
  }

  /** The phase in force at optimizer step `step` (0-based): the phase of the step's first example. */
  phaseAt(step: number): ResolvedPhase {
    if (!Number.isSafeInteger(step) || step < 0) throw new AttuneError(`Curriculum: step must be an integer >= 0, got ${step}.`);
    return this.phaseAtExample(step * this.examplesPerStep);
  }
}
