/**
 * Validates a config against a recipe's composed schema and turns every problem into a
 * located message: the key path, the file position (or the `--set` that caused it), what
 * was expected and what was found, and a "did you mean" for unknown keys.
 */
import type { z } from 'zod';
import { ConfigError } from '../../base/errors.js';
import type { Override } from './overrides.js';
import { findUnknownKeys } from './unknown-keys.js';
import { valueAt } from './value-at.js';
import { describeZodIssue as describeIssue } from '../../base/zod-issue.js';

export interface ConfigOrigin {
  /** What the config came from, e.g. a file path or `the default config of sft-multiobjective`. */
  label: string;
  locate?: (path: readonly PropertyKey[]) => string | undefined;
  overrides?: Override[];
}

export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function whereIs(path: readonly PropertyKey[], origin: ConfigOrigin): string {
  const override = [...(origin.overrides ?? [])]
    .reverse()
    .find((o) => o.path.length <= path.length && o.path.every((p, i) => String(p) === String(path[i])));
  if (override) return `--set ${override.source}`;
  return origin.locate?.(path) ?? origin.label;
}


export function validateConfig<Schema extends z.ZodType>(schema: Schema, data: unknown, origin: ConfigOrigin): z.output<Schema> {
  // Located only when shown: finding a key's line is linear in its mapping, and a hostile
  // file can have 100k unknown keys.
  const problems: { at: readonly PropertyKey[]; text: string }[] = [];
  for (const unknown of findUnknownKeys(schema, data)) {
    const at = [...unknown.path, unknown.key];
    problems.push({ at, text: `key '${formatKeyPath(at)}': ${unknown.message}` });
  }
  const parsed = schema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        // One problem per key, at the key itself (so a `--set` that added it is blamed); beside an
        // item's `use`, the key almost always belongs under its `options`.
        const beside = valueAt(data, issue.path);
        for (const key of issue.keys) {
          const at = [...issue.path, key];
          const isItem = typeof beside === 'object' && beside !== null && 'use' in beside;
          const hint = isItem ? ` Item options go under 'options': did you mean '${formatKeyPath([...issue.path, 'options', key])}'?` : '';
          problems.push({ at, text: `key '${formatKeyPath(at)}': unknown key.${hint}` });
        }
        continue;
      }
      problems.push({ at: issue.path, text: `key '${formatKeyPath(issue.path)}': ${describeIssue(issue)}` });
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 12).map((p) => `${whereIs(p.at, origin)}: ${p.text}`);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new ConfigError(
      `Invalid config (${origin.label}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  - ${shown.join('\n  - ')}${more}`,
      '`attune describe <recipe>` lists every key with its type and default.',
    );
  }
  return (parsed as { data: z.output<Schema> }).data;
}
