/**
 * A mixture sampler whose weights follow a curriculum: at each phase boundary (counted in
 * drawn examples) it switches to the phase's weights. Its state is the mixture state, from
 * which the phase is recomputed, so a run resumed mid-phase draws the same sequence.
 */
import { AttuneError } from '../../base/errors.js';
import type { Curriculum, ResolvedPhase } from './curriculum.js';
import { MixtureSampler, type Draw, type MixtureSamplerState } from './mixture-sampler.js';

export interface CurriculumSamplerOptions {
  readonly curriculum: Curriculum;
  /** Examples per source, by the curriculum's source names. */
  readonly sizes: Readonly<Record<string, number>>;
  readonly seed: number;
}

export interface CurriculumDraw extends Draw {
  /** Index of the phase the example was drawn in. */
  readonly phase: number;
}

export interface CurriculumSamplerState {
  readonly version: 1;
  readonly curriculum: string;
  readonly mixture: MixtureSamplerState;
}

export class CurriculumSampler {
  readonly curriculum: Curriculum;
  private readonly mixture: MixtureSampler;
  private current: ResolvedPhase;

  constructor(options: CurriculumSamplerOptions) {
    this.curriculum = options.curriculum;
    const missing = this.curriculum.sources.filter((name) => options.sizes[name] === undefined);
    if (missing.length > 0) {
      throw new AttuneError(
        `Curriculum '${this.curriculum.name}' mixes sources ${this.curriculum.sources.join(', ')}, but no size was given for ${missing.join(', ')}.`,
        'Load every source the curriculum names (check the recipe\'s data section).',
      );
    }
    this.current = this.curriculum.phaseAtExample(0);
    this.mixture = new MixtureSampler({
      sources: this.curriculum.sources.map((name, i) => ({ name, size: options.sizes[name] as number, weight: this.current.weights[i] as number })),
      seed: options.seed,
    });
  }

  /** The phase in force at an optimizer step, for the LR multiplier. */
  phaseAt(step: number): ResolvedPhase {
    return this.curriculum.phaseAt(step);
  }

  /** The phase the next draw comes from. */
  get phase(): ResolvedPhase {
    return this.curriculum.phaseAtExample(this.mixture.drawn);
  }

  get drawn(): number {
    return this.mixture.drawn;
  }

  get probabilities(): readonly number[] {
    return this.mixture.probabilities;
  }

  next(): CurriculumDraw {
    this.syncPhase();
    return { ...this.mixture.next(), phase: this.current.index };
  }

  take(count: number): CurriculumDraw[] {
    return Array.from({ length: count }, () => this.next());
  }

  state(): CurriculumSamplerState {
    return { version: 1, curriculum: this.curriculum.name, mixture: this.mixture.state() };
  }

  restore(state: CurriculumSamplerState, what = 'curriculum sampler state'): void {
    if (state.version !== 1) throw new AttuneError(`${what}: unsupported version ${String(state.version)}, expected 1.`);
    if (state.curriculum !== this.curriculum.name) {
      throw new AttuneError(`${what}: saved for curriculum '${state.curriculum}' but this run uses '${this.curriculum.name}'.`, 'Resume with the curriculum the run started with.');
    }
    this.mixture.restore(state.mixture, what);
    this.current = this.curriculum.phaseAtExample(this.mixture.drawn);
    this.mixture.setWeights(this.current.weights);
  }

  private syncPhase(): void {
    const phase = this.curriculum.phaseAtExample(this.mixture.drawn);
    if (phase.index !== this.current.index) {
      this.current = phase;
      this.mixture.setWeights(phase.weights);
    }
  }
}
