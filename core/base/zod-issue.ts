/**
 * One zod issue in words: what was expected and what was found ("expected number, got NaN"),
 * never zod's bare "Invalid input". Config validation and every reader of a JSON/YAML file
 * (model folders, adapters, prompt and response rows) describe their problems with it.
 */
import type { z } from 'zod';

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
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  // Parsed without `reportInput`, an issue has no input to show: zod's own words then say what was found.
  if (!('input' in issue) && issue.code !== 'invalid_union') return issue.message.replace(/^Invalid input:?\s*/, '') || 'not accepted here';
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
    const got = 'input' in issue ? `, got ${describeValue(found)}` : '';
    return `expected ${union.discriminator} to be one of ${(union.options ?? []).map((v) => JSON.stringify(v)).join(', ')}${got}`;
  }
  const typeMisses = union.errors.filter((branch) => branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0);
  const deeper = union.errors.find((branch) => !typeMisses.includes(branch));
  if (deeper && deeper[0]) {
    const inner = deeper[0];
    return `${inner.path.length ? `at '${inner.path.map(String).join('.')}': ` : ''}${describeZodIssue(inner)}`;
  }
  const expected = [...new Set(typeMisses.map((branch) => (branch[0] as { expected?: string }).expected ?? 'another type'))];
  return `expected ${expected.join(' or ')}${'input' in issue ? `, got ${describeValue(input)}` : ''}`;
}
