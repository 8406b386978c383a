/**
 * The weights of a decoder as graph values, either frozen — initializers that point into the
 * model's own safetensors files by byte offset (ONNX external data; nothing is read into JS) —
 * or trainable parameters fed per run (full fine-tuning). Half-precision tensors are cast to the
 * compute dtype inside the graph, where onnxruntime folds the cast once at session creation.
 */
import type { DType, Graph, Tensor } from '../../engine/index.js';
import type { QuantizedWeight } from '../../engine/primitives/index.js';
import { ops } from '../../engine/index.js';
import type { DecoderConfig } from '../folder/config.js';
import { ModelFolderError } from '../folder/errors.js';
import { expectedTensors, layerPrefix } from '../folder/expected-tensors.js';
import type { SafetensorsDType } from '../safetensors/dtype.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';

export type ComputeDType = 'float32' | 'float64';

export interface ProjectionWeights {
  readonly weight: Tensor;
  readonly bias?: Tensor;
  /** The same weight block-quantized (generation only); used instead of `weight` when present. */
  readonly quantized?: QuantizedWeight;
}

export interface LayerWeights {
  readonly inputNorm: Tensor;
  readonly postAttentionNorm: Tensor;
  readonly q: ProjectionWeights;
  readonly k: ProjectionWeights;
  readonly v: ProjectionWeights;
  readonly o: ProjectionWeights;
  readonly gate: ProjectionWeights;
  readonly up: ProjectionWeights;
  readonly down: ProjectionWeights;
}

export interface DecoderWeights {
  readonly embed: Tensor;
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: Tensor;
  /** [vocab, hidden]; the embedding itself when the model ties them; absent on a sequence classifier. */
  readonly lmHead?: Tensor;
  /** The LM head block-quantized (generation only). */
  readonly lmHeadQuantized?: QuantizedWeight;
}

const STORED_AS: Partial<Record<SafetensorsDType, DType>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64' };

/** Builds the weight tree from a per-tensor factory (HF tensor name → graph value). */
function assemble(config: DecoderConfig, get: (name: string) => Tensor): DecoderWeights {
  const proj = (prefix: string, hasBias: boolean): ProjectionWeights =>
    hasBias ? { weight: get(`${prefix}.weight`), bias: get(`${prefix}.bias`) } : { weight: get(`${prefix}.weight`) };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = layerPrefix(i);
    layers.push({
      inputNorm: get(`${p}.input_layernorm.weight`),
      postAttentionNorm: get(`${p}.post_attention_layernorm.weight`),
      q: proj(`${p}.self_attn.q_proj`, config.qkvBias),
      k: proj(`${p}.self_attn.k_proj`, config.qkvBias),
      v: proj(`${p}.self_attn.v_proj`, config.qkvBias),
      o: proj(`${p}.self_attn.o_proj`, config.oProjBias),
      gate: proj(`${p}.mlp.gate_proj`, config.mlpBias),
      up: proj(`${p}.mlp.up_proj`, config.mlpBias),
      down: proj(`${p}.mlp.down_proj`, config.mlpBias),
    });
  }
  const embed = get('model.embed_tokens.weight');
  const finalNorm = get('model.norm.weight');
  if (config.head !== 'causal-lm') return { embed, layers, finalNorm };
  return { embed, layers, finalNorm, lmHead: config.tieWordEmbeddings ? embed : get('lm_head.weight') };
}

/**
 * Every weight as an initializer backed by its safetensors byte range. `namePrefix` keeps the
 * names apart when the same graph also holds the weights as parameters (full fine-tuning).
 */
export function frozenDecoderWeights(g: Graph, config: DecoderConfig, weights: SafetensorsWeights, dtype: ComputeDType, namePrefix = ''): DecoderWeights {
  return assemble(config, (name) => frozenTensor(g, weights, name, dtype, namePrefix));
}

/** One weight as an initializer backed by its safetensors byte range, cast to the compute dtype in the graph. */
export function frozenTensor(g: Graph, weights: SafetensorsWeights, name: string, dtype: ComputeDType, namePrefix = ''): Tensor {
  const t = weights.locate(name);
  const stored = STORED_AS[t.dtype];
  if (!stored) throw new ModelFolderError(`${t.path}: tensor "${name}" has dtype ${t.dtype}; Attune reads F32, F16, BF16 or F64 weights`);
  const init = g.initializer(`${namePrefix}${name}`, { file: t.path, offset: t.fileOffset, length: t.byteLength, dtype: stored, shape: t.shape });
  return stored === dtype ? init : ops.cast(init, dtype);
}

/** Every weight as a trainable parameter named by its HF tensor name (tied models share one embedding). */
export function trainableDecoderWeights(g: Graph, config: DecoderConfig, dtype: ComputeDType): { weights: DecoderWeights; parameters: Tensor[] } {
  const shapes = new Map(expectedTensors(config).map((t) => [t.name, t.shape]));
  const parameters: Tensor[] = [];
  const weights = assemble(config, (name) => {
    const shape = shapes.get(name);
    if (!shape) throw new ModelFolderError(`decoder: no shape known for tensor "${name}" of a ${config.architecture} model`);
    const p = g.parameter(name, dtype, shape);
    parameters.push(p);
    return p;
  });
  return { weights, parameters };
}
