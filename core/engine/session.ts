/** onnxruntime-node sessions for compiled programs: options, feeds, outputs, cache. */
import { AttuneError } from '../base/errors.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { AnyTypedArray, DType } from './dtype.js';
import { dtypeFromOrt, ortTypeName } from './dtype.js';
import type { Program } from './program.js';
import type { IOSpec } from './compile.js';
import { evalDim, formatShape, isSymbolName } from './shape.js';

export type ExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

export interface SessionOptions {
  /** 'cpu' (default), 'webgpu' (bundled in onnxruntime-node) or 'cuda' (needs the CUDA build). */
  readonly executionProvider?: ExecutionProvider;
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Skip weight prepacking. Prepacked weights are a private copy per session, so every session
   * over the same frozen weights (a trainer's buckets, eval, generation, scoring) adds the weights
   * again; without prepacking, sessions map the same file pages and share one copy. `bench
   * sessions` measured 4 sessions over 122 MB of weights: +464 MB proportional memory prepacked
   * vs +113 MB not, at 0–15 % forward speed. Default: prepack unless the program's file-backed
   * weights exceed PREPACK_LIMIT_BYTES, where memory, not speed, is what stops people.
   */
  readonly disablePrepacking?: boolean;
  /**
   * Intra-op thread spin-waiting. 'off' (default): Attune usually holds several sessions (train,
   * eval, generate) and spinning ones steal each other's cores — a block step measured 87 ms with
   * two spinning sessions vs 56 ms without. 'auto' spins only if no other session is live at
   * creation (the first one still spins later); 'on' for one latency-bound session.
   */
  readonly spinning?: 'auto' | 'on' | 'off';
  /** Flush subnormal floats to zero in this session's threads. Default: on (see `setFlushDenormals`). */
  readonly flushDenormals?: boolean;
  /** Fix these symbolic dims for this session (static shapes per bucket). */
  readonly staticDims?: Readonly<Record<string, number>>;
  /** Where model files go when weights are file-backed or too big to pass as bytes. */
  readonly cacheDir?: string;
}

/** A fed value: a typed array (shape from the declared dims) or data with explicit dims. */
export type Feed = AnyTypedArray | { readonly data: AnyTypedArray; readonly dims: readonly number[] };

export interface RunOptions {
  /** Values of symbolic dims ('batch', 'seq'); any not given are inferred from explicit feed dims or lengths. */
  readonly dims?: Readonly<Record<string, number>>;
}

export interface RunOutput {
  readonly data: AnyTypedArray;
  readonly dims: readonly number[];
  readonly dtype: DType;
}

const ARRAY_FOR: Record<DType, string> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int64: 'BigInt64Array',
  int32: 'Int32Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
  float16: 'Uint16Array',
  bfloat16: 'Uint16Array',
};

let liveSessions = 0;

/** The provider sessions use when their options name none (`--device`, a config's `device:`). */
let defaultProvider: ExecutionProvider = 'cpu';

export function setDefaultExecutionProvider(ep: ExecutionProvider): void {
  defaultProvider = ep;
}

export function defaultExecutionProvider(): ExecutionProvider {
  return defaultProvider;
}

/**
 * Whether sessions flush subnormal floats (|x| < 1.2e-38 in float32) to zero. On by default:
 * masked attention scores, and every exp that underflows, hit the CPU's slow subnormal path — a
 * causal softmax over [2, 3, 768, 256] took 1.5 ms with subnormals and 0.18 ms flushed, about 3 %
 * of a smol LoRA step — and values that small carry nothing a float32 training step can use.
 *
 * onnxruntime sets the mode on its own threads per session, but on the thread that calls it —
 * Node's main thread, which also runs a share of every kernel — only once, from the first session
 * the process creates. So the choice is per process: with it on, JavaScript on the main thread
 * flushes subnormals too (`Number.MIN_VALUE * 1 === 0`). Call `setFlushDenormals(false)` before
 * the first session for IEEE subnormals everywhere, at that speed cost.
 */
let flushDenormalsByDefault = true;

export function setFlushDenormals(on: boolean): void {
  flushDenormalsByDefault = on;
}

// onnxruntime-node (its native binding) loads with the first session, not with the engine, so
// importing `attune/engine` stays cheap for code that only builds or inspects graphs.
// Named exports: a CommonJS module's `default` depends on the loader (tsx honours __esModule).
const importOrt = async () => {
  const { InferenceSession, Tensor, listSupportedBackends, env } = await import('onnxruntime-node');
  // onnxruntime's process-wide logger prints native error lines (a provider library it cannot
  // load) straight to stderr; Attune reports those failures itself, with what to do.
  env.logLevel = 'fatal';
  return { InferenceSession, Tensor, listSupportedBackends };
};
type Ort = Awaited<ReturnType<typeof importOrt>>;
let ortModule: Promise<Ort> | undefined;
const loadOrt = (): Promise<Ort> => (ortModule ??= importOrt());

function providerError(ep: ExecutionProvider, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  const help =
    ep === 'cuda'
      ? "onnxruntime-node ships without CUDA here; install its CUDA 12 build (reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL_CUDA=v12) on a machine with an NVIDIA driver, or run on the CPU (--device cpu, device: cpu in a config)"
      : "WebGPU needs a GPU adapter with Vulkan drivers on Linux; none was usable. Run on the CPU (--device cpu, device: cpu in a config)";
  return new AttuneError(`engine: execution provider '${ep}' is not available: ${why}`, help);
}

/** File-backed frozen weights above this are not prepacked by default (see `disablePrepacking`). */
export const PREPACK_LIMIT_BYTES = 1024 ** 3;

function buildOrtOptions(opts: SessionOptions, program: Program): InferenceSession.SessionOptions {
  const spinning = opts.spinning ?? 'off';
  const spin = spinning === 'on' || (spinning === 'auto' && liveSessions === 0);
  const extra: Record<string, string> = { 'session.intra_op.allow_spinning': spin ? '1' : '0' };
  if (opts.flushDenormals ?? flushDenormalsByDefault) extra['session.set_denormal_as_zero'] = '1';
  if (opts.disablePrepacking ?? program.fileBackedBytes > PREPACK_LIMIT_BYTES) extra['session.disable_prepacking'] = '1';
  return {
    executionProviders: [opts.executionProvider ?? defaultProvider],
    // The binding rejects explicit undefined, so only set what was given.
    ...(opts.intraOpThreads !== undefined ? { intraOpNumThreads: opts.intraOpThreads } : {}),
    ...(opts.interOpThreads !== undefined ? { interOpNumThreads: opts.interOpThreads } : {}),
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    // onnxruntime's own log lines (e.g. a provider library it cannot load) are not for users:
    // failures reach them as Attune's errors, with what to do.
    logSeverityLevel: 3,
    enableMemPattern: false,
    enableCpuMemArena: true,
    extra,
  };
}

export class EngineSession {
  private released = false;

  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly inputs: readonly IOSpec[],
    readonly outputs: readonly IOSpec[],
  ) {
    liveSessions++;
  }

  /** Compiles the program in onnxruntime (seconds for big models: cache the session). */
  static async create(program: Program, opts: SessionOptions = {}): Promise<EngineSession> {
    const ep = opts.executionProvider ?? defaultProvider;
    const ort = await loadOrt();
    if (ep !== 'cpu') {
      const backends = ort.listSupportedBackends();
      if (!backends.some((b) => b.name === ep)) throw providerError(ep, new Error(`onnxruntime-node lists backends ${backends.map((b) => b.name).join(', ')}`));
    }
    const ortOpts = buildOrtOptions(opts, program);
    let session: InferenceSession;
    try {
      if (program.needsFile) {
        const dir = join(opts.cacheDir ?? join(tmpdir(), 'attune-engine'), `${program.key}${opts.staticDims ? `-${staticKey(opts.staticDims)}` : ''}`);
        const path = await program.save(dir, opts.staticDims);
        session = await ort.InferenceSession.create(path, ortOpts);
      } else {
        session = await ort.InferenceSession.create(program.toBytes(opts.staticDims), ortOpts);
      }
    } catch (e) {
      if (ep !== 'cpu') throw providerError(ep, e);
      throw new Error(`engine: onnxruntime could not load the compiled graph (program ${program.key}): ${(e as Error).message}`, { cause: e });
    }
    return new EngineSession(ort, session, program.inputs, program.outputs);
  }

  /** One forward(+backward) pass; returns every program output by name. */
  async run(feeds: Readonly<Record<string, Feed>>, opts: RunOptions = {}): Promise<Record<string, RunOutput>> {
    if (this.released) throw new Error('engine: run on a released session');
    const dims: Record<string, number> = { ...(opts.dims ?? {}) };
    const known = new Set(this.inputs.map((s) => s.name));
    for (const name of Object.keys(feeds)) {
      if (!known.has(name)) throw new Error(`engine: run: '${name}' is not an input of this program (inputs: ${[...known].join(', ')})`);
    }
    const missing = this.inputs.filter((s) => feeds[s.name] === undefined).map((s) => s.name);
    if (missing.length) throw new Error(`engine: run: missing feeds for ${missing.join(', ')}`);
    // Bind symbols from explicit dims first, then from lengths of plain arrays with one unknown symbol.
    for (const spec of this.inputs) {
      const f = feeds[spec.name] as Feed;
      if (!ArrayBuffer.isView(f)) bindDims(spec, f.dims, dims);
    }
    for (const spec of this.inputs) {
      const f = feeds[spec.name] as Feed;
      if (ArrayBuffer.isView(f)) inferFromLength(spec, f.length, dims);
    }
    const ortFeeds: Record<string, Tensor> = {};
    for (const spec of this.inputs) {
      const f = feeds[spec.name] as Feed;
      const data = ArrayBuffer.isView(f) ? f : f.data;
      const shape = ArrayBuffer.isView(f) ? spec.shape.map((d) => evalDim(d, dims, `input '${spec.name}'`)) : [...f.dims];
      checkFeed(spec, data, shape);
      ortFeeds[spec.name] = new this.ort.Tensor(ortTypeName(spec.dtype) as 'float32', data as Float32Array, shape);
    }
    const res = await this.session.run(ortFeeds);
    const out: Record<string, RunOutput> = {};
    for (const spec of this.outputs) {
      const t = res[spec.onnxName ?? spec.name];
      if (!t) throw new Error(`engine: onnxruntime returned no output '${spec.name}'`);
      out[spec.name] = { data: t.data as AnyTypedArray, dims: [...t.dims], dtype: dtypeFromOrt(t.type) };
    }
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    liveSessions--;
    await this.session.release();
  }
}

function staticKey(d: Readonly<Record<string, number>>): string {
  return Object.keys(d)
    .sort()
    .map((k) => `${k}${d[k]}`)
    .join('_');
}

function bindDims(spec: IOSpec, given: readonly number[], dims: Record<string, number>): void {
  if (given.length !== spec.shape.length) throw new Error(`engine: run: '${spec.name}' has rank ${spec.shape.length} ${formatShape(spec.shape)}, but dims [${given.join(', ')}] were fed`);
  spec.shape.forEach((d, i) => {
    const v = given[i] as number;
    if (typeof d === 'string' && isSymbolName(d)) {
      const prev = dims[d];
      if (prev !== undefined && prev !== v) throw new Error(`engine: run: '${spec.name}' dim ${i} ('${d}') is ${v} but '${d}' is ${prev} elsewhere`);
      dims[d] = v;
    }
  });
}

function inferFromLength(spec: IOSpec, length: number, dims: Record<string, number>): void {
  const unknown = spec.shape.filter((d): d is string => typeof d === 'string' && dims[d] === undefined);
  if (unknown.length !== 1 || !isSymbolName(unknown[0] as string)) return;
  const sym = unknown[0] as string;
  let rest = 1;
  for (const d of spec.shape) if (d !== sym) rest *= evalDim(d, dims, `input '${spec.name}'`);
  if (rest === 0 || length % rest !== 0) throw new Error(`engine: run: '${spec.name}' ${formatShape(spec.shape)} got ${length} values, not a multiple of ${rest}`);
  dims[sym] = length / rest;
}

function checkFeed(spec: IOSpec, data: AnyTypedArray, shape: readonly number[]): void {
  const expected = ARRAY_FOR[spec.dtype];
  if (data.constructor.name !== expected) throw new Error(`engine: run: '${spec.name}' is ${spec.dtype}; feed a ${expected}, got ${data.constructor.name}`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`engine: run: '${spec.name}' ${formatShape(spec.shape)} = [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  spec.shape.forEach((d, i) => {
    if (typeof d === 'number' && shape[i] !== d) throw new Error(`engine: run: '${spec.name}' dim ${i} must be ${d}, got ${shape[i]}`);
  });
}

/** Sessions keyed by program structure and options, so each signature compiles once. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<EngineSession>>();

  get(program: Program, opts: SessionOptions = {}): Promise<EngineSession> {
    const key = `${program.key}|${JSON.stringify(opts, Object.keys(opts).sort())}|${opts.staticDims ? staticKey(opts.staticDims) : ''}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = EngineSession.create(program, opts);
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  get size(): number {
    return this.sessions.size;
  }

  async releaseAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}
