/**
 * Validates a config against a recipe's composed schema and turns every problem into a
 * located message: the key path, the file position (or the `--set` that caused it), what
 * was expected and what was found, and a "did you mean" for unknown keys.
 */
import type { z } from 'zod';
import { ConfigError } from '../../base/errors.js';
import type { Override } from './overrides.js';
import { findUnknownKeys } from './unknown-keys.js';

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

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  // JSON would print NaN and ±Infinity as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  const shown = json && json.length > 60 ? `${json.slice(0, 57)}...` : json;
  const type = Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value;
  return `${type} ${shown}`;
}

const inputOf = (issue: z.core.$ZodIssue): unknown => (issue as { input?: unknown }).input;

/** Zod's message without its generic "Invalid input: " lead, and with what was found. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return `expected ${issue.expected}, got ${describeValue(inputOf(issue))}`;
  }
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(inputOf(issue))}`;
  }
  if (issue.code === 'invalid_union') return describeUnion(issue);
  const message = issue.message.replace(/^Invalid input:?\s*/, '') || 'not accepted here';
  // Zod's range and format messages say what was expected, not what was found; a custom check's own message says both.
  return issue.code === 'custom' ? message : `${message}, got ${describeValue(inputOf(issue))}`;
}

/**
 * A value no member of a union accepts. A member that got past its own type check failed on
 * something inside, which is the specific thing to say; otherwise list the types the members take.
 */
function describeUnion(issue: z.core.$ZodIssue & { code: 'invalid_union' }): string {
  const union = issue as { errors: z.core.$ZodIssue[][]; discriminator?: string; options?: unknown[] };
  const input = inputOf(issue);
  if (union.discriminator !== undefined) {
    const found = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[union.discriminator] : undefined;
    return `expected ${union.discriminator} to be one of ${(union.options ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(found)}`;
  }
  const typeMisses = union.errors.filter((branch) => branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0);
  const deeper = union.errors.find((branch) => !typeMisses.includes(branch));
  if (deeper && deeper[0]) {
    const inner = deeper[0];
    return `${inner.path.length ? `at '${formatKeyPath(inner.path)}': ` : ''}${describeIssue(inner)}`;
  }
  const expected = [...new Set(typeMisses.map((branch) => (branch[0] as { expected?: string }).expected ?? 'another type'))];
  return `expected ${expected.join(' or ')}, got ${describeValue(input)}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
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
