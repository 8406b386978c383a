/**
 * Draws (source, example) pairs from a mixture of sources: the source by its mixture
 * probability, the example by walking that source in a per-epoch shuffled order.
 * Deterministic for a seed; `state()` / `restore()` let a resumed run continue exactly.
 */
import { EpochWalker, type WalkerState } from './epoch-walker.js';
import { checkAlpha, checkSizes, MixtureError, mixtureProbabilities } from './mixture-weights.js';
import { seedWords, Xoshiro128, type RngState } from '../../base/rng.js';

export interface MixtureSource {
  readonly name: string;
  /** Number of examples in the source. */
  readonly size: number;
  /** Explicit mixture weight; give it for every source or for none. */
  readonly weight?: number;
}

export interface MixtureSamplerOptions {
  readonly sources: readonly MixtureSource[];
  /** Temperature: p_i ∝ size_i^alpha, in (0, 1]; default 1 (proportional). Ignored with explicit weights. */
  readonly alpha?: number;
  readonly seed: number;
}

export interface Draw {
  /** Index of the source in the sampler's source list. */
  readonly source: number;
  readonly sourceName: string;
  /** Example index within the source. */
  readonly index: number;
  /** How many times this source had been exhausted before this draw. */
  readonly epoch: number;
}

export interface MixtureSamplerState {
  readonly version: 1;
  readonly sources: readonly { readonly name: string; readonly size: number }[];
  readonly seed: number;
  /** Explicit weights in force, or null for the temperature mixture. */
  readonly weights: readonly number[] | null;
  readonly drawn: number;
  readonly rng: RngState;
  readonly walkers: readonly WalkerState[];
}

/** Keeps the walkers' streams apart from the source-choice stream that uses the bare seed. */
const WALKER_STREAM = 0x57a1c3e5;

export class MixtureSampler {
  readonly sourceNames: readonly string[];
  readonly sizes: readonly number[];
  readonly alpha: number;
  readonly seed: number;
  private readonly rng: Xoshiro128;
  private readonly walkers: readonly EpochWalker[];
  private readonly cumulative: Float64Array;
  private explicitWeights: readonly number[] | null;
  private probabilityList: readonly number[] = [];
  private drawCount = 0;

  constructor(options: MixtureSamplerOptions) {
    this.sourceNames = options.sources.map((s) => s.name);
    this.sizes = options.sources.map((s) => s.size);
    this.alpha = options.alpha ?? 1;
    this.seed = options.seed;
    checkSizes(this.sourceNames, this.sizes);
    checkAlpha(this.alpha);
    const withWeight = options.sources.filter((s) => s.weight !== undefined);
    if (withWeight.length !== 0 && withWeight.length !== options.sources.length) {
      const without = options.sources.filter((s) => s.weight === undefined).map((s) => s.name);
      throw new MixtureError(`Mixture weights are given for some sources but not for ${without.join(', ')}.`, 'Give a weight to every source, or to none to mix by size^alpha.');
    }
    const [low, high] = seedWords(options.seed);
    this.rng = Xoshiro128.fromWords([low, high]);
    this.walkers = this.sizes.map((size, i) => new EpochWalker(size, [low, high, WALKER_STREAM, i]));
    this.cumulative = new Float64Array(this.sizes.length);
    this.explicitWeights = null;
    this.setWeights(withWeight.length > 0 ? options.sources.map((s) => s.weight as number) : null);
  }

  /** Current probability of drawing each source. */
  get probabilities(): readonly number[] {
    return this.probabilityList;
  }

  /** Examples drawn so far. */
  get drawn(): number {
    return this.drawCount;
  }

  /** Switches to explicit weights (one per source), or back to size^alpha with null. */
  setWeights(weights: readonly number[] | null): void {
    const probabilities = mixtureProbabilities({
      names: this.sourceNames,
      sizes: this.sizes,
      alpha: this.alpha,
      ...(weights !== null ? { weights } : {}),
    });
    this.explicitWeights = weights === null ? null : [...weights];
    this.probabilityList = probabilities;
    let running = 0;
    probabilities.forEach((p, i) => {
      running += p;
      this.cumulative[i] = running;
    });
  }

  next(): Draw {
    const source = this.pickSource(this.rng.nextFloat());
    const { index, epoch } = (this.walkers[source] as EpochWalker).next();
    this.drawCount += 1;
    return { source, sourceName: this.sourceNames[source] as string, index, epoch };
  }

  take(count: number): Draw[] {
    return Array.from({ length: count }, () => this.next());
  }

  state(): MixtureSamplerState {
    return {
      version: 1,
      sources: this.sourceNames.map((name, i) => ({ name, size: this.sizes[i] as number })),
      seed: this.seed,
      weights: this.explicitWeights === null ? null : [...this.explicitWeights],
      drawn: this.drawCount,
      rng: this.rng.state(),
      walkers: this.walkers.map((w) => w.state()),
    };
  }

  /** Continues exactly where the saved sampler stopped; sources and seed must match. */
  restore(state: MixtureSamplerState, what = 'sampler state'): void {
    if (state.version !== 1) throw new MixtureError(`${what}: unsupported version ${String(state.version)}, expected 1.`);
    const saved = state.sources.map((s) => `${s.name}(${s.size})`).join(', ');
    const current = this.sourceNames.map((name, i) => `${name}(${this.sizes[i]})`).join(', ');
    if (saved !== current) {
      throw new MixtureError(`${what}: saved for sources [${saved}] but this sampler has [${current}].`, 'Resume with the same sources (and the same data files) the run started with.');
    }
    if (state.seed !== this.seed) {
      throw new MixtureError(`${what}: saved with seed ${state.seed} but this sampler uses seed ${this.seed}.`, 'Resume with the seed the run started with.');
    }
    if (state.walkers.length !== this.walkers.length || !Number.isSafeInteger(state.drawn) || state.drawn < 0) {
      throw new MixtureError(`${what}: malformed (${state.walkers.length} walkers for ${this.walkers.length} sources, drawn ${state.drawn}).`);
    }
    this.setWeights(state.weights);
    this.rng.restore(state.rng);
    state.walkers.forEach((w, i) => (this.walkers[i] as EpochWalker).restore(w, `${what}, source '${this.sourceNames[i]}'`));
    this.drawCount = state.drawn;
  }

  private pickSource(u: number): number {
    const cumulative = this.cumulative;
    for (let i = 0; i < cumulative.length; i++) {
      if (u < (cumulative[i] as number)) return i;
    }
    // Rounding can leave the last cumulative value a hair below u; fall back to the last source that can be drawn.
    for (let i = this.probabilityList.length - 1; i >= 0; i--) if ((this.probabilityList[i] as number) > 0) return i;
    return 0;
  }
}
