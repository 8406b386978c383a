/** Turns a traced Graph into a Program: the nodes needed for the requested outputs, and its IO signature. */
import { createHash } from 'node:crypto';
import type { DType } from './dtype.js';
import type { Graph, InitializerRecord, NodeRecord } from './graph.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import { Program } from './program.js';

export interface IOSpec {
  readonly name: string;
  /** The ONNX value name when it differs from `name` (outputs). */
  readonly onnxName?: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface CompileOptions {
  /** Graph outputs by name (the name a run returns them under). */
  readonly outputs: Readonly<Record<string, Tensor>>;
}

let nextArrayId = 1;
const arrayIds = new WeakMap<object, number>();
function identityOf(o: object): number {
  let id = arrayIds.get(o);
  if (id === undefined) {
    id = nextArrayId++;
    arrayIds.set(o, id);
  }
  return id;
}

/** Small arrays are keyed by content (so re-traced graphs hit the cache); big ones by identity. */
function dataKey(a: ArrayBufferView): string | number {
  if (a.byteLength > 1 << 20) return identityOf(a);
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

export function compileGraph(g: Graph, opts: CompileOptions): Program {
  const entries = Object.entries(opts.outputs);
  if (entries.length === 0) throw new Error('engine: compile: no outputs requested');
  const producer = new Map<Tensor, NodeRecord>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);

  const nodes: NodeRecord[] = [];
  const extraNodes: { opType: string; input: string; output: string }[] = [];
  const outputs: IOSpec[] = [];
  const valueNames = new Set<string>([...g.inputs, ...g.parameters].map((t) => t.name));
  for (const n of g.nodes) for (const o of n.outputs) valueNames.add(o.name);
  for (const name of g.initializers.keys()) valueNames.add(name);

  const usedAsOutput = new Set<Tensor>();
  for (const [name, t] of entries) {
    if (t.graph !== g) throw new Error(`engine: compile: output '${name}' belongs to a different Graph`);
    // ONNX forbids an output sharing a name with an input (a gradient keyed by its parameter's
    // name would), so every output is an Identity under a reserved name; runs map it back.
    const onnxName = `out__${name}`;
    if (valueNames.has(onnxName)) throw new Error(`engine: compile: output name '${name}' clashes with tensor '${onnxName}'; pick another`);
    extraNodes.push({ opType: 'Identity', input: t.name, output: onnxName });
    usedAsOutput.add(t);
    outputs.push({ name, onnxName, dtype: t.dtype, shape: t.shape });
  }

  // Dead-code elimination: keep only nodes the outputs depend on, in trace (topological) order.
  const needed = new Set<NodeRecord>();
  const stack = [...usedAsOutput];
  const seen = new Set<Tensor>();
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (seen.has(t)) continue;
    seen.add(t);
    const n = producer.get(t);
    if (n && !needed.has(n)) {
      needed.add(n);
      for (const i of n.inputs) if (i) stack.push(i);
    }
  }
  for (const n of g.nodes) if (needed.has(n)) nodes.push(n);
  const initializers: InitializerRecord[] = [];
  for (const rec of g.initializers.values()) if (seen.has(rec.tensor)) initializers.push(rec);

  const inputs: IOSpec[] = [...g.inputs, ...g.parameters].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape }));
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ inputs, outputs }));
  for (const n of nodes) hash.update(JSON.stringify([n.opType, n.domain, n.inputs.map((t) => t?.name ?? ''), n.outputs.map((t) => t.name), n.attrs]));
  hash.update(JSON.stringify(extraNodes));
  for (const r of initializers) {
    const src = r.source;
    hash.update(JSON.stringify([r.tensor.name, r.tensor.dtype, r.tensor.shape, 'data' in src ? dataKey(src.data) : [src.file, src.offset, src.length]]));
  }
  return new Program({ nodes, extraNodes, inputs, outputs, initializers, key: hash.digest('hex').slice(0, 32) });
}
