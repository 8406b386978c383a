/**
 * Writes a LoRA adapter as a PEFT adapter folder that `PeftModel.from_pretrained` loads:
 * adapter_config.json + adapter_model.safetensors (PEFT key names, F32), plus any extra trainable
 * tensors (heads) in their own safetensors file beside it, which PEFT ignores. The folder is
 * published atomically: a reader sees the old adapter or the new one, never a mix.
 */
import { join } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../../base/atomic-write.js';
import type { Parameter } from '../../engine/optim/parameter.js';
import { writeSafetensors } from '../safetensors/writer.js';
import type { TensorToWrite } from '../safetensors/writer.js';
import { LoraError } from './errors.js';
import type { LoraState } from './lora-state.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
/** Trainable tensors that are not LoRA factors (classification heads, value heads). */
export const EXTRA_TENSORS_FILE = 'heads.safetensors';

/** transformers refuses safetensors files whose metadata lacks a known format. */
const SAFETENSORS_METADATA = { format: 'pt' };

export interface SaveAdapterOptions {
  /** base_model_name_or_path: the model folder or hub name the adapter applies to. */
  readonly baseModel: string;
  /** Extra trainable tensors saved to heads.safetensors under their own names. */
  readonly extraTensors?: readonly Parameter[];
}

/** adapter_config.json as PEFT 0.x writes it for a plain LoRA on a causal LM. */
export function adapterConfigJson(state: LoraState, baseModel: string): Record<string, unknown> {
  const c = state.config;
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: c.r,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    target_modules: [...c.targetModules],
    use_rslora: c.useRslora,
    bias: 'none',
    fan_in_fan_out: false,
    use_dora: false,
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
  };
}

function tensorMap(params: readonly Parameter[], what: string): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const p of params) {
    if (out[p.name]) throw new LoraError(`${what}: tensor "${p.name}" is listed twice`);
    out[p.name] = { dtype: 'F32', shape: p.shape, data: p.data };
  }
  return out;
}

export async function saveLoraAdapter(dir: string, state: LoraState, options: SaveAdapterOptions): Promise<void> {
  const weights = tensorMap(state.parameters, join(dir, ADAPTER_WEIGHTS_FILE));
  const extras = options.extraTensors && options.extraTensors.length > 0 ? tensorMap(options.extraTensors, join(dir, EXTRA_TENSORS_FILE)) : undefined;
  if (extras) {
    const clash = Object.keys(extras).find((name) => weights[name] !== undefined);
    if (clash) throw new LoraError(`${join(dir, EXTRA_TENSORS_FILE)}: extra tensor "${clash}" has the name of a LoRA factor`, 'give heads their own names');
  }
  await writeDirAtomic(dir, async (temp) => {
    await writeJsonAtomic(join(temp, ADAPTER_CONFIG_FILE), adapterConfigJson(state, options.baseModel));
    await writeSafetensors(join(temp, ADAPTER_WEIGHTS_FILE), weights, { metadata: SAFETENSORS_METADATA });
    if (extras) await writeSafetensors(join(temp, EXTRA_TENSORS_FILE), extras, { metadata: SAFETENSORS_METADATA });
  });
}
