/**
 * Dimensions and shapes. A dimension is a non-negative integer or a symbolic expression:
 * a named dim ('batch') or a polynomial with integer coefficients over named dims
 * ('batch*seq', 'seq-1'), kept in one canonical spelling so equal dims compare equal as strings.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** monomial key (sorted symbol names joined by '*', '' for the constant) -> coefficient */
type Poly = Map<string, number>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const parsed = new Map<string, Poly>();

export function isSymbolName(s: string): boolean {
  return NAME.test(s);
}

function parsePoly(expr: string): Poly {
  const cached = parsed.get(expr);
  if (cached) return cached;
  const poly: Poly = new Map();
  const src = expr.replace(/\s+/g, '');
  const terms = src.match(/[+-]?[^+-]+/g);
  if (!terms || terms.join('') !== src) throw new Error(`engine: cannot parse dimension '${expr}' (expected names, integers, '*', '+', '-')`);
  for (const raw of terms) {
    let sign = 1;
    let body = raw;
    if (body.startsWith('+')) body = body.slice(1);
    else if (body.startsWith('-')) {
      sign = -1;
      body = body.slice(1);
    }
    let coef = sign;
    const syms: string[] = [];
    for (const f of body.split('*')) {
      if (/^\d+$/.test(f)) coef *= Number(f);
      else if (NAME.test(f)) syms.push(f);
      else throw new Error(`engine: cannot parse dimension '${expr}': bad factor '${f}'`);
    }
    syms.sort();
    addTerm(poly, syms.join('*'), coef);
  }
  parsed.set(expr, poly);
  return poly;
}

function addTerm(p: Poly, key: string, coef: number): void {
  const v = (p.get(key) ?? 0) + coef;
  if (v === 0) p.delete(key);
  else p.set(key, v);
}

function toPoly(d: Dim): Poly {
  if (typeof d === 'number') {
    const p: Poly = new Map();
    if (d !== 0) p.set('', d);
    return p;
  }
  return parsePoly(d);
}

function fromPoly(p: Poly): Dim {
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('') as number;
  const keys = [...p.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const k of keys) {
    const c = p.get(k) as number;
    const mag = Math.abs(c);
    const body = k === '' ? String(mag) : mag === 1 ? k : `${mag}*${k}`;
    out += out === '' ? (c < 0 ? `-${body}` : body) : c < 0 ? `-${body}` : `+${body}`;
  }
  return out;
}

/** Canonical form of a user-written dim ('seq', 'batch * seq', 7). */
export function normalizeDim(d: Dim): Dim {
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 0) throw new Error(`engine: dimension ${d} must be a non-negative integer or a name`);
    return d;
  }
  return fromPoly(parsePoly(d));
}

export function dimEq(a: Dim, b: Dim): boolean {
  return normalizeDim(a) === normalizeDim(b);
}

export function dimMul(a: Dim, b: Dim): Dim {
  const pa = toPoly(a);
  const pb = toPoly(b);
  const out: Poly = new Map();
  for (const [ka, ca] of pa) {
    for (const [kb, cb] of pb) {
      const syms = [...(ka ? ka.split('*') : []), ...(kb ? kb.split('*') : [])].sort();
      addTerm(out, syms.join('*'), ca * cb);
    }
  }
  return fromPoly(out);
}

export function dimAdd(a: Dim, b: Dim): Dim {
  const out: Poly = new Map(toPoly(a));
  for (const [k, c] of toPoly(b)) addTerm(out, k, c);
  return fromPoly(out);
}

export function dimSub(a: Dim, b: Dim): Dim {
  const out: Poly = new Map(toPoly(a));
  for (const [k, c] of toPoly(b)) addTerm(out, k, -c);
  return fromPoly(out);
}

/** a / b when b is a single term dividing every term of a exactly; undefined otherwise. */
export function dimDivExact(a: Dim, b: Dim): Dim | undefined {
  const pb = toPoly(b);
  if (pb.size !== 1) return undefined;
  const [[kb, cb]] = [...pb] as [[string, number]];
  const bs = kb ? kb.split('*') : [];
  const out: Poly = new Map();
  for (const [ka, ca] of toPoly(a)) {
    if (ca % cb !== 0) return undefined;
    const as = ka ? ka.split('*') : [];
    for (const s of bs) {
      const i = as.indexOf(s);
      if (i < 0) return undefined;
      as.splice(i, 1);
    }
    addTerm(out, as.join('*'), ca / cb);
  }
  return fromPoly(out);
}

export function shapeProduct(shape: Shape): Dim {
  let p: Dim = 1;
  for (const d of shape) p = dimMul(p, d);
  return p;
}

/** Symbol names a dim depends on. */
export function dimSymbols(d: Dim): string[] {
  if (typeof d === 'number') return [];
  const out = new Set<string>();
  for (const k of toPoly(d).keys()) for (const s of k.split('*')) if (s) out.add(s);
  return [...out];
}

/** Terms of a dim as (coefficient, symbols) pairs, for building runtime shape arithmetic. */
export function dimTerms(d: Dim): { coef: number; symbols: string[] }[] {
  return [...toPoly(d)].map(([k, coef]) => ({ coef, symbols: k ? k.split('*') : [] }));
}

/** Evaluates a dim given values for its symbols; throws naming the missing symbol. */
export function evalDim(d: Dim, values: Readonly<Record<string, number>>, where: string): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const { coef, symbols } of dimTerms(d)) {
    let t = coef;
    for (const s of symbols) {
      const v = values[s];
      if (v === undefined) throw new Error(`engine: ${where}: no value for dimension '${s}' (pass it in dims: { ${s}: ... })`);
      t *= v;
    }
    total += t;
  }
  return total;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : d)).join(', ')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i] as Dim));
}

/** Normalizes a possibly negative axis against a rank; names the op on error. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`engine: ${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting of two shapes; symbolic dims must match exactly or meet a literal 1. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | string {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : (a[i - (rank - a.length)] as Dim);
    const db = i < rank - b.length ? 1 : (b[i - (rank - b.length)] as Dim);
    if (dimEq(da, db)) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else return `dimension ${i} of the broadcast result: ${String(da)} vs ${String(db)} (dims must be equal or 1)`;
  }
  return out;
}
