/** An ONNX attribute with its type made explicit. */
export type TypedAttr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

/**
 * Attribute values as written by callers. Plain numbers become INT when integral, except for the
 * attribute names ONNX always types as float (alpha, epsilon, ...); wrap with attr.float()/attr.int()
 * to force a type.
 */
export type AttrInput = number | string | readonly number[] | readonly string[] | TypedAttr;
export type Attrs = Readonly<Record<string, AttrInput>>;

export const attr = {
  int: (value: number): TypedAttr => ({ kind: 'int', value }),
  float: (value: number): TypedAttr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): TypedAttr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): TypedAttr => ({ kind: 'floats', value }),
  string: (value: string): TypedAttr => ({ kind: 'string', value }),
};

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'gamma', 'ratio', 'scale', 'bias', 'lambd', 'min', 'max']);

export function typeAttr(name: string, v: AttrInput): TypedAttr {
  if (typeof v === 'number') {
    return Number.isInteger(v) && !FLOAT_ATTRS.has(name) ? { kind: 'int', value: v } : { kind: 'float', value: v };
  }
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { kind: 'strings', value: v as string[] };
    const nums = v as number[];
    return nums.every((x) => Number.isInteger(x)) ? { kind: 'ints', value: nums } : { kind: 'floats', value: nums };
  }
  return v as TypedAttr;
}

export function typeAttrs(attrs: Attrs | undefined): Record<string, TypedAttr> {
  const out: Record<string, TypedAttr> = {};
  if (attrs) for (const [k, v] of Object.entries(attrs)) out[k] = typeAttr(k, v);
  return out;
}

/** Reads an attribute's numeric value with a default. */
export function attrNum(attrs: Readonly<Record<string, TypedAttr>>, name: string, dflt: number): number {
  const a = attrs[name];
  if (a === undefined) return dflt;
  if (a.kind !== 'int' && a.kind !== 'float') throw new Error(`engine: attribute '${name}' must be a number, got ${a.kind}`);
  return a.value;
}

export function attrInts(attrs: Readonly<Record<string, TypedAttr>>, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') throw new Error(`engine: attribute '${name}' must be a list of ints, got ${a.kind}`);
  return a.value;
}
