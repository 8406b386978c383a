/**
 * Walks zod schemas the way config errors and `attune describe` need: unwrap optional /
 * default / pipe wrappers, step into object keys and array elements.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  defaultValue?: unknown;
  catchall?: z.ZodType;
}

export function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strip wrappers that do not change the structure of the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
  return current;
}

export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** The schema that validates the value at `path`, or undefined where it cannot be told. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!current) return undefined;
    const def = defOf(unwrap(current));
    if (def.type === 'object') current = def.shape && Object.hasOwn(def.shape, String(key)) ? def.shape[String(key)] : def.catchall;
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return current;
}

/** Metadata set with `.meta()` on the schema or any wrapper around it. */
export function metaOf(schema: z.ZodType): Record<string, unknown> {
  let current: z.ZodType | undefined = schema;
  const merged: Record<string, unknown> = {};
  for (let i = 0; current && i < 20; i++) {
    const meta = (current as unknown as { meta(): Record<string, unknown> | undefined }).meta();
    if (meta) for (const [k, v] of Object.entries(meta)) if (!(k in merged)) merged[k] = v;
    const def = defOf(current);
    current = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return merged;
}

/** The extension kind of an item-reference schema (see item-ref.ts), if it is one. */
export function itemRefKind(schema: z.ZodType): string | undefined {
  const kind = metaOf(schema).attuneItemKind;
  return typeof kind === 'string' ? kind : undefined;
}

export function isItemRef(schema: z.ZodType): boolean {
  return itemRefKind(schema) !== undefined;
}
