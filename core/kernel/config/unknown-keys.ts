/**
 * Unknown config keys are errors, even where a schema would silently strip them: a typo
 * such as `learning_rat` must never be ignored. Walks the data alongside the schema.
 */
import type { z } from 'zod';
import { defOf, isItemRef, unwrap } from './schema-walk.js';
import { didYouMean } from '../../base/suggest.js';

export interface UnknownKey {
  path: (string | number)[];
  key: string;
  message: string;
}

/** Item references (`use:`) check their options against the item's schema themselves. */
export function findUnknownKeys(schema: z.ZodType, value: unknown, path: (string | number)[] = []): UnknownKey[] {
  if (isItemRef(schema)) return [];
  const def = defOf(unwrap(schema));
  if (value === null || typeof value !== 'object') return [];
  if (def.type === 'object' && def.shape && !Array.isArray(value)) {
    const found: UnknownKey[] = [];
    const known = Object.keys(def.shape);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      // Own keys only: `constructor` or `toString` must not find Object.prototype's.
      const childSchema = Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
      if (childSchema) {
        found.push(...findUnknownKeys(childSchema, child, [...path, key]));
      } else if (!def.catchall || defOf(def.catchall).type === 'never') {
        found.push({ path, key, message: `unknown key '${key}'.${didYouMean(key, known)} Allowed here: ${known.join(', ')}` });
      }
    }
    return found;
  }
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    return value.flatMap((item, index) => findUnknownKeys(def.element!, item, [...path, index]));
  }
  if (def.type === 'record' && def.valueType && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
      findUnknownKeys(def.valueType!, child, [...path, key]),
    );
  }
  if (def.type === 'union' && def.options) {
    // Use the first branch that knows every key; otherwise report against the object branch.
    const reports = def.options.map((option) => findUnknownKeys(option, value, path));
    return reports.find((r) => r.length === 0) ?? reports.find((_, i) => defOf(unwrap(def.options![i]!)).type === 'object') ?? [];
  }
  return [];
}
