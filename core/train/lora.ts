/**
 * The LoRA adapter a trainer optimizes: which projections carry factors, their parameter names
 * (PEFT's own key names, so the trainable tensors are an adapter file as they stand), initial
 * values as PEFT draws them, and the PEFT folder layout on disk.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { DecoderConfig } from '../model/folder/config.js';
import { LORA_MODULES, projectionShape } from '../model/generation/peft-adapter.js';
import type { LoraModule } from '../model/generation/peft-adapter.js';
import { writeSafetensors } from '../model/safetensors/writer.js';
import { writeJsonAtomic } from '../kernel/runs/atomic-write.js';
import type { ParameterInit } from './init.js';

export const loraConfigSchema = z.strictObject({
  r: z.number().int().positive().default(16).describe('LoRA rank'),
  alpha: z.number().positive().default(32).describe('LoRA alpha (the update is scaled by alpha / r)'),
  dropout: z.number().min(0).max(0.9).default(0.05).describe('dropout on the LoRA branch input while training'),
  targetModules: z.array(z.enum(LORA_MODULES)).min(1).default([...LORA_MODULES]).describe('projections that carry LoRA factors'),
});
export type LoraConfig = z.output<typeof loraConfigSchema>;

export interface LoraFactorSpec {
  readonly layer: number;
  readonly module: LoraModule;
  readonly a: { readonly name: string; readonly shape: [number, number]; readonly init: ParameterInit };
  readonly b: { readonly name: string; readonly shape: [number, number]; readonly init: ParameterInit };
}

const MLP_MODULES: ReadonlySet<LoraModule> = new Set(['gate_proj', 'up_proj', 'down_proj']);

/** `base_model.model.model.layers.3.self_attn.q_proj` — the prefix of PEFT's keys for one projection. */
export function peftModulePath(layer: number, module: LoraModule): string {
  return `base_model.model.model.layers.${layer}.${MLP_MODULES.has(module) ? 'mlp' : 'self_attn'}.${module}`;
}

/** One A/B pair per layer and target module, in a fixed order (layer, then module). */
export function loraFactors(config: DecoderConfig, lora: LoraConfig): LoraFactorSpec[] {
  const out: LoraFactorSpec[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const module of LORA_MODULES) {
      if (!lora.targetModules.includes(module)) continue;
      const [outDim, inDim] = projectionShape(config, module);
      const path = peftModulePath(layer, module);
      out.push({
        layer,
        module,
        a: { name: `${path}.lora_A.weight`, shape: [lora.r, inDim], init: { kind: 'uniform', bound: 1 / Math.sqrt(inDim) } },
        b: { name: `${path}.lora_B.weight`, shape: [outDim, lora.r], init: { kind: 'zeros' } },
      });
    }
  }
  return out;
}

export const loraScale = (lora: LoraConfig): number => lora.alpha / lora.r;

export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Writes `dir` as a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) that
 * PEFT's `PeftModel.from_pretrained` and Attune's generation load.
 */
export async function savePeftAdapter(dir: string, tensors: readonly NamedTensor[], lora: LoraConfig, baseModel: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeSafetensors(
    join(dir, 'adapter_model.safetensors'),
    Object.fromEntries(tensors.map((t) => [t.name, { dtype: 'F32' as const, shape: t.shape, data: t.data }])),
    { metadata: { format: 'pt' } },
  );
  await writeJsonAtomic(join(dir, 'adapter_config.json'), {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: lora.r,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: [...lora.targetModules],
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: false,
    use_dora: false,
    inference_mode: true,
    modules_to_save: null,
  });
}
