/**
 * The frozen weights of a decoder as graph initializers that point into the model's own
 * safetensors files (ONNX external data): nothing is read into JS. Half-precision tensors are
 * cast to float32 inside the graph, where onnxruntime folds the cast once at session creation.
 */
import type { Graph, Tensor } from '../../engine/index.js';
import type { DType } from '../../engine/index.js';
import { ops } from '../../engine/index.js';
import type { DecoderConfig } from '../folder/config.js';
import { layerPrefix } from '../folder/expected-tensors.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { SafetensorsDType } from '../safetensors/dtype.js';
import { ModelFolderError } from '../folder/errors.js';

export interface ProjectionWeights {
  readonly weight: Tensor;
  readonly bias?: Tensor;
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
  /** [vocab, hidden]; the embedding itself when the model ties them. */
  readonly lmHead: Tensor;
}

const ENGINE_DTYPE: Partial<Record<SafetensorsDType, DType>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** One tensor of the checkpoint as a float32 graph value (cast in the graph when stored in half precision). */
function fileTensor(g: Graph, weights: SafetensorsWeights, name: string): Tensor {
  const t = weights.locate(name);
  const dtype = ENGINE_DTYPE[t.dtype];
  if (!dtype) throw new ModelFolderError(`${t.path}: tensor "${name}" has dtype ${t.dtype}; generation reads F32, F16 or BF16 weights`);
  const init = g.initializer(name, { file: t.path, offset: t.fileOffset, length: t.byteLength, dtype, shape: t.shape });
  return dtype === 'float32' ? init : ops.cast(init, 'float32');
}

/** Declares every weight the config needs (checked beforehand by openModelFolder). */
export function declareDecoderWeights(g: Graph, config: DecoderConfig, weights: SafetensorsWeights): DecoderWeights {
  const get = (name: string): Tensor => fileTensor(g, weights, name);
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
  return { embed, layers, finalNorm: get('model.norm.weight'), lmHead: config.tieWordEmbeddings ? embed : get('lm_head.weight') };
}
