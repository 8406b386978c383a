/**
 * Flattens a config schema into rows of key path, type, default and doc, for
 * `attune describe`. Item references are shown with their kind; the options of the item a
 * default config uses are listed beneath.
 */
import type { z } from 'zod';
import { defOf, itemRefKind, unwrap } from '../config/schema-walk.js';

export interface SchemaRow {
  key: string;
  type: string;
  default?: unknown;
  doc?: string;
  optional: boolean;
}

function docOf(schema: z.ZodType): string | undefined {
  let current: z.ZodType | undefined = schema;
  for (let i = 0; current && i < 10; i++) {
    if (current.description) return current.description;
    const def = defOf(current);
    current = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}

function defaultOf(schema: z.ZodType): { has: boolean; value?: unknown; optional: boolean } {
  let current: z.ZodType | undefined = schema;
  let optional = false;
  for (let i = 0; current && i < 10; i++) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
      return { has: true, value, optional: true };
    }
    if (def.type === 'optional') optional = true;
    current = def.innerType;
  }
  return { has: false, optional };
}

export function typeName(schema: z.ZodType): string {
  const kind = itemRefKind(schema);
  if (kind) return `${kind} item`;
  const def = defOf(unwrap(schema)) as ReturnType<typeof defOf> & { entries?: Record<string, unknown>; values?: unknown[] };
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {}).map((v) => JSON.stringify(v)).join(' | ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'array':
      return `list of ${def.element ? typeName(def.element) : 'values'}`;
    case 'record':
      return `map of ${def.valueType ? typeName(def.valueType) : 'values'}`;
    case 'union':
      return (def.options ?? []).map(memberName).join(' | ');
    case 'object':
      return 'object';
    default:
      return def.type;
  }
}

/** A union member spelled out: an object shows its keys (a discriminator with its value, `?` when optional). */
function memberName(schema: z.ZodType): string {
  const def = defOf(unwrap(schema));
  if (def.type !== 'object' || !def.shape || itemRefKind(schema)) return typeName(schema);
  const keys = Object.entries(def.shape).map(([key, child]) => {
    const inner = defOf(unwrap(child)) as ReturnType<typeof defOf> & { values?: unknown[] };
    if (inner.type === 'literal') return `${key}: ${(inner.values ?? []).map((v) => JSON.stringify(v)).join('|')}`;
    return defaultOf(child).optional ? `${key}?` : key;
  });
  return `{${keys.join(', ')}}`;
}

export function describeSchema(schema: z.ZodType, prefix = ''): SchemaRow[] {
  const def = defOf(unwrap(schema));
  if (def.type !== 'object' || !def.shape || itemRefKind(schema)) return [];
  const rows: SchemaRow[] = [];
  for (const [key, child] of Object.entries(def.shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const dflt = defaultOf(child);
    const childDef = defOf(unwrap(child));
    const isNested = childDef.type === 'object' && !itemRefKind(child);
    if (isNested) {
      rows.push(...describeSchema(child, path));
      continue;
    }
    const doc = docOf(child);
    rows.push({ key: path, type: typeName(child), optional: dflt.optional, ...(dflt.has && { default: dflt.value }), ...(doc && { doc }) });
  }
  return rows;
}
