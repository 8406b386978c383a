/**
 * Temperature mixing over data sources: p_i ∝ n_i^α. α = 1 samples in proportion to size,
 * α → 0 tends to uniform; values in between up-weight small sources without letting them
 * dominate. Explicit weights, when given, are the mixture itself (normalised, no α).
 */
import { AttuneError } from '../../base/errors.js';

export interface MixtureInput {
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  readonly alpha: number;
  /** One non-negative weight per source; overrides sizes and α. */
  readonly weights?: readonly number[];
}

export class MixtureError extends AttuneError {
  override name = 'MixtureError';
}

export function checkAlpha(alpha: number): void {
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha > 1) {
    throw new MixtureError(`Mixture temperature alpha must be in (0, 1], got ${alpha}.`, 'Use 1 to sample in proportion to source size, smaller values (e.g. 0.5) to up-weight small sources.');
  }
}

export function checkSizes(names: readonly string[], sizes: readonly number[]): void {
  if (names.length === 0) throw new MixtureError('A mixture needs at least one source.');
  if (sizes.length !== names.length) throw new MixtureError(`Got ${sizes.length} source sizes for ${names.length} sources.`);
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw new MixtureError(`Source '${name}' appears twice in the mixture.`);
    seen.add(name);
    const size = sizes[i] as number;
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new MixtureError(`Source '${name}' (index ${i}) has ${size} examples; every source in a mixture needs at least one.`, 'Check the source path and its bad-row report, or drop the source from the recipe.');
    }
  });
}

/** Mixture probabilities, one per source, summing to 1. */
export function mixtureProbabilities(input: MixtureInput): number[] {
  checkSizes(input.names, input.sizes);
  let raw: readonly number[];
  if (input.weights !== undefined) {
    if (input.weights.length !== input.names.length) {
      throw new MixtureError(`Got ${input.weights.length} mixture weights for ${input.names.length} sources (${input.names.join(', ')}).`);
    }
    input.weights.forEach((w, i) => {
      if (!Number.isFinite(w) || w < 0) throw new MixtureError(`Mixture weight for source '${input.names[i]}' must be a finite number >= 0, got ${w}.`);
    });
    raw = input.weights;
  } else {
    checkAlpha(input.alpha);
    raw = input.sizes.map((n) => n ** input.alpha);
  }
  const total = raw.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new MixtureError(`Mixture weights [${raw.join(', ')}] for sources (${input.names.join(', ')}) must sum to a positive number.`, 'Give at least one source a weight above 0.');
  }
  return raw.map((w) => w / total);
}
