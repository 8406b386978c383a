/**
 * A seeded, order-free ranking key: sorting by it picks "random" items that depend only on
 * the seed and the item's own key, not on which other items are present.
 */
import { createHash } from 'node:crypto';

export function seededRank(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}:${key}`).digest('hex');
}
