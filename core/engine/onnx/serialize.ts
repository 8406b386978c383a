/** Builds the ONNX ModelProto for a program and encodes it with protobufjs. */
import { ONNX_DTYPE } from '../dtype.js';
import type { DType } from '../dtype.js';
import type { TypedAttr } from '../attributes.js';
import type { ProgramParts } from '../program.js';
import type { Shape } from '../shape.js';
import { evalDim } from '../shape.js';
import { ATTR_TYPE, IR_VERSION, ModelProto, MS_OPSET, ONNX_OPSET } from './schema.js';

/** initializer name -> where its bytes live on disk (relative to the model file). */
export type ExternalPlan = Map<string, { location: string; offset: number; length: number }>;

export interface BuildOptions {
  /** Replace these symbolic dims by fixed values in the IO signature (lets ORT plan static shapes). */
  readonly staticDims?: Readonly<Record<string, number>> | undefined;
  readonly external: ExternalPlan;
  /** Rename symbols in the IO signature's dim names (`batch` → `batch_size`); the graph computes shapes at run time, so only the labels change. */
  readonly dimNames?: Readonly<Record<string, string>> | undefined;
}

type Obj = Record<string, unknown>;

function attributeProto(name: string, a: TypedAttr): Obj {
  switch (a.kind) {
    case 'int':
      return { name, type: ATTR_TYPE.INT, i: a.value };
    case 'float':
      return { name, type: ATTR_TYPE.FLOAT, f: a.value };
    case 'string':
      return { name, type: ATTR_TYPE.STRING, s: Buffer.from(a.value, 'utf8') };
    case 'ints':
      return { name, type: ATTR_TYPE.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: ATTR_TYPE.FLOATS, floats: [...a.value] };
    case 'strings':
      return { name, type: ATTR_TYPE.STRINGS, strings: a.value.map((s) => Buffer.from(s, 'utf8')) };
  }
}

const renameSymbols = (d: string, names: Readonly<Record<string, string>> | undefined): string =>
  names ? d.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (s) => names[s] ?? s).replace(/\s*([+*-])\s*/g, ' $1 ') : d;

function valueInfo(name: string, dtype: DType, shape: Shape, staticDims: Readonly<Record<string, number>> | undefined, dimNames?: Readonly<Record<string, string>>): Obj {
  const dim = shape.map((d) => {
    if (typeof d === 'number') return { dim_value: d };
    if (staticDims) {
      try {
        return { dim_value: evalDim(d, staticDims, `input '${name}'`) };
      } catch {
        return { dim_param: renameSymbols(d, dimNames) };
      }
    }
    return { dim_param: renameSymbols(d, dimNames) };
  });
  return { name, type: { tensor_type: { elem_type: ONNX_DTYPE[dtype], shape: { dim } } } };
}

export function buildModel(parts: ProgramParts, opts: BuildOptions): Obj {
  const node: Obj[] = parts.nodes.map((n, i) => ({
    name: `n${i}_${n.opType}`,
    op_type: n.opType,
    domain: n.domain,
    input: n.inputs.map((t) => t?.name ?? ''),
    output: n.outputs.map((t) => t.name),
    attribute: Object.entries(n.attrs).map(([k, v]) => attributeProto(k, v)),
  }));
  parts.extraNodes.forEach((e, i) => node.push({ name: `out${i}_${e.output}`, op_type: e.opType, domain: '', input: [e.input], output: [e.output], attribute: [] }));

  const initializer: Obj[] = parts.initializers.map((r) => {
    const t = r.tensor;
    const base: Obj = { name: t.name, data_type: ONNX_DTYPE[t.dtype], dims: t.shape as number[] };
    const ext = opts.external.get(t.name);
    if (ext) {
      return {
        ...base,
        data_location: 1,
        external_data: [
          { key: 'location', value: ext.location },
          { key: 'offset', value: String(ext.offset) },
          { key: 'length', value: String(ext.length) },
        ],
      };
    }
    if (!('data' in r.source)) throw new Error(`engine: initializer '${t.name}' is file-backed; save the program to a directory`);
    const d = r.source.data;
    return { ...base, raw_data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
  });

  const usesMs = parts.nodes.some((n) => n.domain === 'com.microsoft');
  return {
    ir_version: IR_VERSION,
    producer_name: 'attune-engine',
    opset_import: [{ domain: '', version: ONNX_OPSET }, ...(usesMs ? [{ domain: 'com.microsoft', version: MS_OPSET }] : [])],
    graph: {
      name: 'attune',
      node,
      initializer,
      input: parts.inputs.map((s) => valueInfo(s.name, s.dtype, s.shape, opts.staticDims, opts.dimNames)),
      output: parts.outputs.map((s) => valueInfo(s.onnxName ?? s.name, s.dtype, s.shape, opts.staticDims, opts.dimNames)),
    },
  };
}

export function encodeModel(model: Obj): Uint8Array {
  return ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): Obj {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Buffer }) as Obj;
}
