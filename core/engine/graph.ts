import type { AnyTypedArray, DType } from './dtype.js';
import { DTYPE_BYTES, isFloat } from './dtype.js';
import type { Dim, Shape } from './shape.js';
import { dimTerms, formatShape, isSymbolName, normalizeDim, shapeProduct } from './shape.js';
import { Tensor } from './tensor.js';
import type { Attrs, TypedAttr } from './attributes.js';
import { typeAttrs } from './attributes.js';
import type { ValueSpec, VjpRule } from './op-registry.js';
import { lookupOp } from './op-registry.js';
import type { CompileOptions } from './compile.js';
import { compileGraph } from './compile.js';
import type { Program } from './program.js';

/** One ONNX node as traced. */
export interface NodeRecord {
  readonly id: number;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Readonly<Record<string, TypedAttr>>;
}

/** One differentiable application on the autodiff tape: a primitive node or a whole custom op. */
export interface TapeEntry {
  readonly label: string;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Readonly<Record<string, TypedAttr>>;
  readonly backward: VjpRule;
}

/** Frozen weights: in memory, or a byte range of a file on disk (e.g. inside a .safetensors). */
export type InitializerData =
  | { readonly data: AnyTypedArray; readonly shape: readonly number[]; readonly dtype?: DType }
  | { readonly file: string; readonly offset: number; readonly length: number; readonly dtype: DType; readonly shape: readonly number[] };

export interface InitializerRecord {
  readonly tensor: Tensor;
  readonly source: InitializerData;
}

export interface NodeOptions {
  /** '' (ONNX) by default; 'com.microsoft' for contrib ops. */
  readonly domain?: string;
  /** Number of outputs (inferred by the op's shape rule), or explicit output specs for ops without one. */
  readonly outputs?: number | readonly ValueSpec[];
}

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new Error('engine: a Uint16Array initializer needs an explicit dtype (float16 or bfloat16)');
}

/**
 * A trace: symbolic tensors and the ONNX nodes that compute them. Build with input/parameter/
 * initializer and the functions in `ops`; differentiate with `gradients`; compile to ONNX.
 */
export class Graph {
  readonly nodes: NodeRecord[] = [];
  /** @internal */ readonly tape: TapeEntry[] = [];
  readonly inputs: Tensor[] = [];
  readonly parameters: Tensor[] = [];
  readonly initializers = new Map<string, InitializerRecord>();
  private readonly names = new Set<string>();
  private counter = 0;
  private suspended = 0;
  private readonly symbolSources = new Map<string, { tensor: Tensor; axis: number }>();
  private readonly constCache = new Map<string, Tensor>();
  private readonly dimCache = new Map<string, Tensor>();

  /** A value fed at every run (token ids, masks, targets). Dims may be names such as 'batch'. */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    const t = new Tensor(this, this.claimName(name, 'input'), dtype, this.checkShape(shape, name), 'input', false);
    this.inputs.push(t);
    this.registerSymbols(t);
    return t;
  }

  /** A trainable value: fed at every run, and `gradients` can differentiate with respect to it. */
  parameter(name: string, dtype: DType, shape: Shape): Tensor {
    if (!isFloat(dtype)) throw new Error(`engine: parameter '${name}' must have a float dtype, got ${dtype}`);
    const t = new Tensor(this, this.claimName(name, 'parameter'), dtype, this.checkShape(shape, name), 'parameter', true);
    this.parameters.push(t);
    this.registerSymbols(t);
    return t;
  }

  /** A frozen weight stored in the model (no gradient). File ranges are never read into JS. */
  initializer(name: string, init: InitializerData): Tensor {
    return this.addInitializer(this.claimName(name, 'initializer'), init);
  }

  private addInitializer(name: string, init: InitializerData): Tensor {
    const shape = this.checkShape(init.shape, name);
    let dtype: DType;
    let bytes: number;
    if ('data' in init) {
      dtype = init.dtype ?? dtypeOfArray(init.data);
      bytes = init.data.byteLength;
    } else {
      dtype = init.dtype;
      bytes = init.length;
      if (!Number.isInteger(init.offset) || init.offset < 0) throw new Error(`engine: initializer '${name}': offset ${init.offset} must be a non-negative integer`);
    }
    const expected = (shapeProduct(shape) as number) * DTYPE_BYTES[dtype];
    if (bytes !== expected) {
      throw new Error(`engine: initializer '${name}': ${bytes} bytes of data for ${dtype}${formatShape(shape)}, which needs ${expected} bytes`);
    }
    const t = new Tensor(this, name, dtype, shape, 'initializer', false);
    this.initializers.set(t.name, { tensor: t, source: init });
    return t;
  }

  /** A small constant (scalars are shared). */
  constant(values: number | readonly number[] | AnyTypedArray, dtype: DType, shape?: readonly number[]): Tensor {
    const scalar = typeof values === 'number';
    const list = scalar ? [values] : values;
    const shp = shape ?? (scalar ? [] : [list.length]);
    const cacheKey = scalar && shape === undefined ? `${dtype}:${values}` : undefined;
    if (cacheKey) {
      const hit = this.constCache.get(cacheKey);
      if (hit) return hit;
    }
    let data: AnyTypedArray;
    if (ArrayBuffer.isView(list)) data = list;
    else if (dtype === 'float32') data = Float32Array.from(list);
    else if (dtype === 'float64') data = Float64Array.from(list);
    else if (dtype === 'int64') data = BigInt64Array.from(list.map((v) => BigInt(v)));
    else if (dtype === 'int32') data = Int32Array.from(list);
    else if (dtype === 'bool' || dtype === 'uint8') data = Uint8Array.from(list.map((v) => (dtype === 'bool' ? (v ? 1 : 0) : v)));
    else throw new Error(`engine: constant of dtype ${dtype} is not supported; build float32 and cast`);
    const t = this.addInitializer(this.freshName('const'), { data, shape: shp, dtype });
    if (cacheKey) this.constCache.set(cacheKey, t);
    return t;
  }

  scalar(value: number, dtype: DType): Tensor {
    return this.constant(value, dtype);
  }

  /**
   * Emits a raw ONNX node (standard or contrib) and returns its outputs. Shapes come from the op's
   * registered shape rule, or from `opts.outputs` specs for ops without one. Outside a custom op,
   * an op without a registered backward rule fails at `gradients` time if a gradient must cross it.
   */
  node(opType: string, inputs: readonly (Tensor | undefined)[], attrs?: Attrs, opts?: NodeOptions): Tensor[] {
    const domain = opts?.domain ?? '';
    for (const t of inputs) {
      if (t && t.graph !== this) throw new Error(`engine: ${opType}: operand ${t.describe()} belongs to a different Graph`);
    }
    const typed = typeAttrs(attrs);
    const rule = lookupOp(opType, domain);
    let specs: readonly ValueSpec[];
    const explicit = opts?.outputs;
    if (explicit !== undefined && typeof explicit !== 'number') specs = explicit;
    else if (rule) {
      try {
        specs = rule.infer(inputs, typed, explicit ?? 1);
      } catch (e) {
        const operands = inputs.map((t, i) => (t ? t.describe() : `#${i} (omitted)`)).join(', ');
        throw new Error(`engine: ${opType}${domain ? ` (${domain})` : ''}: ${(e as Error).message}; operands: ${operands}`, { cause: e });
      }
    } else {
      throw new Error(`engine: op '${opType}'${domain ? ` in domain '${domain}'` : ''} has no shape rule; pass outputs: [{ dtype, shape }, ...] in the node options`);
    }
    const differentiable = this.suspended === 0 && inputs.some((t) => t?.requiresGrad === true);
    const outputs = specs.map(
      (s) => new Tensor(this, this.freshName(opType), s.dtype, s.shape.map(normalizeDim), 'node', differentiable && isFloat(s.dtype) && (rule === undefined || rule.vjp !== undefined)),
    );
    this.nodes.push({ id: this.nodes.length, opType, domain, inputs: [...inputs], outputs, attrs: typed });
    if (outputs.some((o) => o.requiresGrad)) {
      const vjp = rule?.vjp;
      this.tape.push({
        label: `${opType} -> ${outputs.map((o) => o.name).join(', ')}`,
        inputs: [...inputs],
        outputs,
        attrs: typed,
        backward:
          vjp ??
          (() => {
            throw new Error(`engine: no gradient rule for op '${opType}'${domain ? ` (${domain})` : ''} producing '${outputs[0]?.name}'; wrap it in defineOp with a backward, or stopGradient its inputs`);
          }),
      });
    }
    return outputs;
  }

  /** Serializes the nodes the requested outputs need into a Program (ONNX model + IO signature). */
  compile(opts: CompileOptions): Program {
    return compileGraph(this, opts);
  }

  /** int64 1-D tensor holding `shape` at run time (symbolic dims read from the inputs that declare them). */
  shapeTensor(shape: Shape): Tensor {
    if (shape.every((d) => typeof d === 'number')) return this.constant(shape as number[], 'int64', [shape.length]);
    if (shape.length === 0) return this.constant([], 'int64', [0]);
    const parts = shape.map((d) => this.dimTensor(d));
    if (parts.length === 1) return parts[0] as Tensor;
    return this.withTapeSuspended(() => this.node('Concat', parts, { axis: 0 })[0] as Tensor);
  }

  /** int64 [1] tensor holding one dim at run time. */
  dimTensor(d: Dim): Tensor {
    if (typeof d === 'number') return this.constant([d], 'int64', [1]);
    const cached = this.dimCache.get(d);
    if (cached) return cached;
    const t = this.withTapeSuspended(() => {
      let sum: Tensor | undefined;
      for (const { coef, symbols } of dimTerms(d)) {
        let term: Tensor | undefined;
        for (const s of symbols) {
          const src = this.symbolSources.get(s);
          if (!src) throw new Error(`engine: dimension '${s}' is not declared by any input or parameter, so its value is unknown at run time`);
          const v = this.node('Shape', [src.tensor], { start: src.axis, end: src.axis + 1 })[0] as Tensor;
          term = term ? (this.node('Mul', [term, v])[0] as Tensor) : v;
        }
        const c = this.constant([coef], 'int64', [1]);
        term = term ? (coef === 1 ? term : (this.node('Mul', [term, c])[0] as Tensor)) : c;
        sum = sum ? (this.node('Add', [sum, term])[0] as Tensor) : term;
      }
      return sum as Tensor;
    });
    this.dimCache.set(d, t);
    return t;
  }

  /** Runs fn without recording autodiff tape entries (custom-op forwards, backward construction). */
  withTapeSuspended<T>(fn: () => T): T {
    this.suspended++;
    try {
      return fn();
    } finally {
      this.suspended--;
    }
  }

  /**
   * @internal Runs fn recording tape entries even inside a suspended region (a checkpoint's
   * backward re-traces its block); returns fn's result and the entries it recorded, which are
   * taken off the graph's tape again.
   */
  recordSegment<T>(fn: () => T): { result: T; entries: TapeEntry[] } {
    const saved = this.suspended;
    const start = this.tape.length;
    this.suspended = 0;
    try {
      const result = fn();
      return { result, entries: this.tape.splice(start) };
    } finally {
      this.suspended = saved;
    }
  }

  /**
   * @internal Tensors that need a gradient and are read by the nodes emitted since node `start`
   * without being produced by them: what a custom op's or a checkpoint's forward depends on.
   */
  gradientInputsSince(start: number): Set<Tensor> {
    const emitted = this.nodes.slice(start);
    const produced = new Set<Tensor>(emitted.flatMap((n) => n.outputs));
    const read = new Set<Tensor>();
    for (const n of emitted) for (const t of n.inputs) if (t?.requiresGrad && !produced.has(t)) read.add(t);
    return read;
  }

  /** @internal */
  get tapeActive(): boolean {
    return this.suspended === 0;
  }

  /** @internal An Identity of t whose output can carry a gradient (a custom op's public output). */
  aliasForTape(t: Tensor, requiresGrad: boolean): Tensor {
    const out = new Tensor(this, this.freshName(`${t.name}_out`), t.dtype, t.shape, 'node', requiresGrad);
    this.nodes.push({ id: this.nodes.length, opType: 'Identity', domain: '', inputs: [t], outputs: [out], attrs: {} });
    return out;
  }

  /** @internal */
  recordTape(entry: TapeEntry): void {
    this.tape.push(entry);
  }

  /** @internal */
  freshName(hint: string): string {
    let n: string;
    do n = `${hint}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claimName(name: string, what: string): string {
    if (!USER_NAME.test(name)) throw new Error(`engine: ${what} name '${name}' must match ${USER_NAME}`);
    if (this.names.has(name)) throw new Error(`engine: ${what} name '${name}' is already used in this graph`);
    this.names.add(name);
    return name;
  }

  private checkShape(shape: Shape, name: string): Dim[] {
    return shape.map((d, i) => {
      try {
        return normalizeDim(d);
      } catch (e) {
        throw new Error(`engine: '${name}' dimension ${i}: ${(e as Error).message}`, { cause: e });
      }
    });
  }

  private registerSymbols(t: Tensor): void {
    t.shape.forEach((d, axis) => {
      if (typeof d === 'string' && isSymbolName(d) && !this.symbolSources.has(d)) this.symbolSources.set(d, { tensor: t, axis });
    });
  }
}
