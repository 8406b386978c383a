/**
 * Duplicate examples: the same messages, labels and preference as an earlier example. Ids and
 * provenance differ by construction, so they are left out of the comparison. Real releases
 * repeat rows (scrapes, merges), which silently weights them twice in training — and the same
 * example in two splits is evaluation on training data.
 */
import type { CanonicalExample } from '../kernel/extension-points/example.js';

const keys = new WeakMap<CanonicalExample, string>();

/**
 * What makes two examples the same for training. Remembered per example object: the load's
 * duplicate count and the run's train/held-out overlap ask about the same examples.
 */
export function exampleContentKey(example: CanonicalExample): string {
  let key = keys.get(example);
  if (key === undefined) {
    key = JSON.stringify([example.kind, example.messages, example.labels, example.preference ?? null]);
    keys.set(example, key);
  }
  return key;
}

export class DuplicateTracker {
  private readonly firstIdByKey = new Map<string, string>();
  /** Each duplicate's id and the id of the example it repeats, in load order. */
  readonly repeats: { id: string; of: string }[] = [];

  /** True when `example` repeats one seen before. */
  seen(example: CanonicalExample): boolean {
    const key = exampleContentKey(example);
    const first = this.firstIdByKey.get(key);
    if (first === undefined) {
      this.firstIdByKey.set(key, example.id);
      return false;
    }
    this.repeats.push({ id: example.id, of: first });
    return true;
  }

  /** One line for logs, or undefined when there were none. */
  describe(action: 'keep' | 'drop'): string | undefined {
    const count = this.repeats.length;
    if (count === 0) return undefined;
    const shown = this.repeats.slice(0, 3).map((r) => `${r.id} repeats ${r.of}`).join('; ');
    const what = action === 'drop' ? 'dropped' : 'kept (set the source option duplicates: drop to drop them)';
    return `${count} duplicate example${count === 1 ? '' : 's'} (same messages and labels as an earlier one), ${what}: ${shown}${count > 3 ? '; …' : ''}`;
  }
}

export function overlapWarning(split: string, total: number, shared: { count: number; ids: string[] }): string {
  return `${shared.count} of ${total} '${split}' examples also occur in the train split (same messages and labels): evaluating on them measures training data, e.g. ${shared.ids.join(', ')}`;
}

/** How many examples of `held` also occur in `train` (same content), with a few of their ids. */
export function overlapWith(train: readonly CanonicalExample[], held: readonly CanonicalExample[]): { count: number; ids: string[] } {
  const trainKeys = new Set(train.map(exampleContentKey));
  const ids = held.filter((example) => trainKeys.has(exampleContentKey(example))).map((e) => e.id);
  return { count: ids.length, ids: ids.slice(0, 3) };
}
