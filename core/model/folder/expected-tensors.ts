/** The tensor names and [out, in] shapes a Llama/Qwen2/Mistral causal LM must provide. */
import type { DecoderConfig } from './config.js';

export interface ExpectedTensor {
  name: string;
  shape: number[];
}

export function layerPrefix(layer: number): string {
  return `model.layers.${layer}`;
}

export function expectedTensors(config: DecoderConfig): ExpectedTensor[] {
  const { hiddenSize: h, intermediateSize: inter, headDim: d, numHeads, numKvHeads, vocabSize: v } = config;
  const q = numHeads * d;
  const kv = numKvHeads * d;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [v, h] }];
  for (let i = 0; i < config.numLayers; i++) {
    const p = layerPrefix(i);
    const attn = `${p}.self_attn`;
    out.push(
      { name: `${attn}.q_proj.weight`, shape: [q, h] },
      { name: `${attn}.k_proj.weight`, shape: [kv, h] },
      { name: `${attn}.v_proj.weight`, shape: [kv, h] },
      { name: `${attn}.o_proj.weight`, shape: [h, q] },
    );
    if (config.qkvBias) {
      out.push(
        { name: `${attn}.q_proj.bias`, shape: [q] },
        { name: `${attn}.k_proj.bias`, shape: [kv] },
        { name: `${attn}.v_proj.bias`, shape: [kv] },
      );
    }
    if (config.oProjBias) out.push({ name: `${attn}.o_proj.bias`, shape: [h] });
    out.push(
      { name: `${p}.mlp.gate_proj.weight`, shape: [inter, h] },
      { name: `${p}.mlp.up_proj.weight`, shape: [inter, h] },
      { name: `${p}.mlp.down_proj.weight`, shape: [h, inter] },
    );
    if (config.mlpBias) {
      out.push(
        { name: `${p}.mlp.gate_proj.bias`, shape: [inter] },
        { name: `${p}.mlp.up_proj.bias`, shape: [inter] },
        { name: `${p}.mlp.down_proj.bias`, shape: [h] },
      );
    }
    out.push({ name: `${p}.input_layernorm.weight`, shape: [h] }, { name: `${p}.post_attention_layernorm.weight`, shape: [h] });
  }
  out.push({ name: 'model.norm.weight', shape: [h] });
  if (config.head === 'causal-lm' && !config.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [v, h] });
  return out;
}
