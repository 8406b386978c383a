/**
 * A label vocabulary: the label set of one taxonomy in a stable order, with label ↔ id.
 * Heads and metrics index classes by id, so the order must not depend on which rows a
 * run happened to read first; it follows the taxonomy's published order.
 */
import { AttuneError } from '../../base/errors.js';

export class LabelError extends AttuneError {
  override name = 'LabelError';
}

export class LabelVocabulary {
  readonly labels: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(
    readonly taxonomy: string,
    labels: readonly string[],
  ) {
    const seen = new Set<string>();
    for (const label of labels) {
      if (seen.has(label)) throw new LabelError(`Label vocabulary '${taxonomy}' lists '${label}' twice`, 'Each label must appear once.');
      seen.add(label);
    }
    this.labels = Object.freeze([...labels]);
    this.ids = new Map(labels.map((label, i) => [label, i]));
  }

  get size(): number {
    return this.labels.length;
  }

  has(label: string): boolean {
    return this.ids.has(label);
  }

  /** The id of `label`; throws a LabelError naming the taxonomy if it is not in it. */
  id(label: string): number {
    const id = this.ids.get(label);
    if (id === undefined) {
      throw new LabelError(
        `Label '${label}' is not in vocabulary '${this.taxonomy}' (${this.size} labels: ${this.labels.slice(0, 8).join(', ')}${this.size > 8 ? ', …' : ''})`,
        'Build the vocabulary from the train split of the same source and taxonomy, or map the label first.',
      );
    }
    return id;
  }

  label(id: number): string {
    const label = this.labels[id];
    if (label === undefined) throw new LabelError(`Label id ${id} is out of range for vocabulary '${this.taxonomy}' (0..${this.size - 1})`);
    return label;
  }

  toJSON(): { taxonomy: string; labels: string[] } {
    return { taxonomy: this.taxonomy, labels: [...this.labels] };
  }
}

export interface VocabularyFromTrainOptions {
  /** The taxonomy's published label order; observed labels are returned in this order. */
  canonical?: readonly string[];
  /**
   * `observed` (default): only labels seen in train, so a head never gets a class it cannot
   * learn. `canonical`: the whole published set, so ids stay comparable across slices.
   */
  coverage?: 'observed' | 'canonical';
}

/**
 * Build a vocabulary from the labels of a train split (never from validation or test, whose
 * labels must not shape the model). Labels outside `canonical` are an error: they signal an
 * unnormalized spelling. Without `canonical`, labels are sorted alphabetically.
 */
export function vocabularyFromTrain(taxonomy: string, trainLabels: Iterable<string>, options: VocabularyFromTrainOptions = {}): LabelVocabulary {
  const observed = new Set(trainLabels);
  const { canonical } = options;
  if (!canonical) return new LabelVocabulary(taxonomy, [...observed].sort());
  const known = new Set(canonical);
  const unknown = [...observed].filter((label) => !known.has(label));
  if (unknown.length > 0) {
    throw new LabelError(
      `Train labels not in taxonomy '${taxonomy}': ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
      'Normalize the labels in the source, or use a taxonomy that contains them.',
    );
  }
  const labels = options.coverage === 'canonical' ? canonical : canonical.filter((label) => observed.has(label));
  return new LabelVocabulary(taxonomy, labels);
}
