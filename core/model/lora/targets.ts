/**
 * The projections LoRA can adapt in a Llama/Qwen2/Mistral decoder, named as PEFT names them
 * (`target_modules`), with their Hugging Face [out, in] shapes and PEFT tensor keys.
 */
import type { DecoderConfig } from '../folder/config.js';
import { layerPrefix } from '../folder/expected-tensors.js';
import { LoraError } from './errors.js';

export const LORA_TARGET_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTargetModule = (typeof LORA_TARGET_MODULES)[number];

/** Short names accepted in configs ("q" for "q_proj"). */
const SHORT_NAMES: Readonly<Record<string, LoraTargetModule>> = {
  q: 'q_proj',
  k: 'k_proj',
  v: 'v_proj',
  o: 'o_proj',
  gate: 'gate_proj',
  up: 'up_proj',
  down: 'down_proj',
};

const MLP: ReadonlySet<LoraTargetModule> = new Set(['gate_proj', 'up_proj', 'down_proj']);

/**
 * Canonical, de-duplicated target list in the decoder's order. Accepts PEFT names, short names
 * and PEFT's "all-linear" (every projection; the lm_head is never adapted).
 */
export function normalizeTargetModules(names: readonly string[] | string, where: string): LoraTargetModule[] {
  const list = typeof names === 'string' ? [names] : names;
  if (list.length === 1 && list[0] === 'all-linear') return [...LORA_TARGET_MODULES];
  const chosen = new Set<LoraTargetModule>();
  for (const name of list) {
    const canonical = (LORA_TARGET_MODULES as readonly string[]).includes(name) ? (name as LoraTargetModule) : SHORT_NAMES[name];
    if (!canonical) {
      throw new LoraError(
        `${where}: target module ${JSON.stringify(name)} is not a decoder projection`,
        `use any of ${LORA_TARGET_MODULES.join(', ')} (or q, k, v, o, gate, up, down, or "all-linear")`,
      );
    }
    chosen.add(canonical);
  }
  if (chosen.size === 0) throw new LoraError(`${where}: target_modules is empty`, `name at least one of ${LORA_TARGET_MODULES.join(', ')}`);
  return LORA_TARGET_MODULES.filter((m) => chosen.has(m));
}

/** `model.layers.3.self_attn.q_proj`: the module path inside the HF causal LM. */
export function modulePath(layer: number, module: LoraTargetModule): string {
  return `${layerPrefix(layer)}.${MLP.has(module) ? 'mlp' : 'self_attn'}.${module}`;
}

/** PEFT's saved key: `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`. */
export function peftKey(layer: number, module: LoraTargetModule, factor: 'A' | 'B'): string {
  return `base_model.model.${modulePath(layer, module)}.lora_${factor}.weight`;
}

/** [out, in] of a projection in the Hugging Face layout. */
export function projectionShape(config: DecoderConfig, module: LoraTargetModule): [number, number] {
  const h = config.hiddenSize;
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const inter = config.intermediateSize;
  switch (module) {
    case 'q_proj':
      return [q, h];
    case 'k_proj':
    case 'v_proj':
      return [kv, h];
    case 'o_proj':
      return [h, q];
    case 'gate_proj':
    case 'up_proj':
      return [inter, h];
    case 'down_proj':
      return [h, inter];
  }
}
