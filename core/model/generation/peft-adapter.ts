/**
 * Reads a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors with PEFT key
 * names) into float32 A/B pairs, checked against the base model's shapes, for generation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AttuneError } from '../../kernel/errors.js';
import type { DecoderConfig } from '../folder/config.js';
import { SafetensorsFile } from '../safetensors/reader.js';

export const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraModule = (typeof LORA_MODULES)[number];

export class AdapterError extends AttuneError {
  override name = 'AdapterError';
}

export interface LoraPair {
  /** [rank, in], row-major. */
  readonly a: Float32Array;
  /** [out, rank], row-major. */
  readonly b: Float32Array;
  readonly rank: number;
}

/** LoRA matrices by layer and module, with the scale they are applied with. */
export interface LoraWeights {
  /** Folder the adapter came from (for messages), if any. */
  readonly source: string;
  /** alpha / r, or alpha / √r with rsLoRA. */
  readonly scale: number;
  readonly rank: number;
  /** Key `${layer}.${module}`. */
  readonly pairs: ReadonlyMap<string, LoraPair>;
}

export const pairKey = (layer: number, module: LoraModule): string => `${layer}.${module}`;

/** [out, in] of a projection in the HF layout. */
export function projectionShape(config: DecoderConfig, module: LoraModule): [number, number] {
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

const MLP_MODULES: ReadonlySet<LoraModule> = new Set(['gate_proj', 'up_proj', 'down_proj']);
const moduleParent = (m: LoraModule): string => (MLP_MODULES.has(m) ? 'mlp' : 'self_attn');

const configSchema = z
  .object({
    peft_type: z.string().optional(),
    r: z.number().int().positive(),
    lora_alpha: z.number().positive(),
    target_modules: z.union([z.array(z.string()), z.string()]).nullable().optional(),
    use_rslora: z.boolean().optional(),
    use_dora: z.boolean().optional(),
    fan_in_fan_out: z.boolean().optional(),
    bias: z.string().optional(),
    modules_to_save: z.array(z.string()).nullable().optional(),
    rank_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
    alpha_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .loose();

async function readConfig(file: string): Promise<z.infer<typeof configSchema>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AdapterError(`${file}: cannot read the adapter config (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'pass a PEFT adapter folder: adapter_config.json + adapter_model.safetensors');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AdapterError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdapterError(`${file}: key "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  const refuse = (what: string): never => {
    throw new AdapterError(`${file}: ${what} is not supported for generation`, 'use a plain LoRA adapter (PEFT LoraConfig without it)');
  };
  if (c.peft_type !== undefined && c.peft_type !== 'LORA') refuse(`peft_type ${JSON.stringify(c.peft_type)}`);
  if (c.use_dora) refuse('use_dora: true');
  if (c.fan_in_fan_out) refuse('fan_in_fan_out: true');
  if (c.bias !== undefined && c.bias !== 'none') refuse(`bias ${JSON.stringify(c.bias)}`);
  if (c.modules_to_save && c.modules_to_save.length > 0) refuse(`modules_to_save ${JSON.stringify(c.modules_to_save)}`);
  if (c.rank_pattern && Object.keys(c.rank_pattern).length > 0) refuse('a per-module rank_pattern');
  if (c.alpha_pattern && Object.keys(c.alpha_pattern).length > 0) refuse('a per-module alpha_pattern');
  return c;
}

/** PEFT names a LoRA factor `base_model.model.<module path>.lora_A.weight` (older saves add `.default`). */
function findKey(file: SafetensorsFile, modulePath: string, factor: 'A' | 'B'): string | undefined {
  for (const key of [`base_model.model.${modulePath}.lora_${factor}.weight`, `base_model.model.${modulePath}.lora_${factor}.default.weight`]) {
    if (file.has(key)) return key;
  }
  return undefined;
}

/** Loads `dir` and checks every pair against `config` (the base model the adapter is applied to). */
export async function readPeftAdapter(dir: string, config: DecoderConfig): Promise<LoraWeights> {
  const configFile = join(dir, 'adapter_config.json');
  const c = await readConfig(configFile);
  const weightsFile = join(dir, 'adapter_model.safetensors');
  const file = await SafetensorsFile.open(weightsFile).catch((error: Error) => {
    throw new AdapterError(`${weightsFile}: ${error.message}`, 'a PEFT adapter folder holds adapter_model.safetensors next to adapter_config.json');
  });
  const pairs = new Map<string, LoraPair>();
  const problems: string[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const module of LORA_MODULES) {
      const path = `model.layers.${layer}.${moduleParent(module)}.${module}`;
      const keyA = findKey(file, path, 'A');
      const keyB = findKey(file, path, 'B');
      if (!keyA && !keyB) continue;
      if (!keyA || !keyB) {
        problems.push(`${path}: has lora_${keyA ? 'A' : 'B'} but no lora_${keyA ? 'B' : 'A'}`);
        continue;
      }
      const [out, inDim] = projectionShape(config, module);
      const infoA = file.info(keyA);
      const infoB = file.info(keyB);
      const [rA, inA] = infoA.shape;
      const [outB, rB] = infoB.shape;
      if (infoA.shape.length !== 2 || inA !== inDim || rA !== c.r) problems.push(`"${keyA}" has shape [${infoA.shape.join(', ')}]; the base model and r=${c.r} imply [${c.r}, ${inDim}]`);
      if (infoB.shape.length !== 2 || outB !== out || rB !== c.r) problems.push(`"${keyB}" has shape [${infoB.shape.join(', ')}]; the base model and r=${c.r} imply [${out}, ${c.r}]`);
      if (problems.length > 0) continue;
      pairs.set(pairKey(layer, module), { a: await file.readFloat32(keyA), b: await file.readFloat32(keyB), rank: c.r });
    }
  }
  const stray = file.names().filter((n) => n.includes('lora_') && !/\.layers\.(\d+)\./.test(n));
  for (const n of stray) problems.push(`"${n}" is not a LoRA factor of a decoder layer projection`);
  const beyond = file.names().filter((n) => {
    const m = /\.layers\.(\d+)\./.exec(n);
    return m !== null && Number(m[1]) >= config.numLayers;
  });
  if (beyond.length > 0) problems.push(`"${beyond[0]}" names a layer the base model (${config.numLayers} layers) does not have`);
  if (problems.length > 0) {
    throw new AdapterError(
      `${weightsFile} does not fit the base model (${config.architecture}, hidden ${config.hiddenSize}, ${config.numLayers} layers):\n  ${problems.slice(0, 8).join('\n  ')}`,
      'the adapter was trained on a different base model; pass the --model it was trained on',
    );
  }
  if (pairs.size === 0) {
    throw new AdapterError(`${weightsFile}: no LoRA factors (base_model.model.model.layers.N.<module>.lora_A.weight) found`, 'save the adapter with PEFT save_pretrained or an Attune trainer');
  }
  const scale = c.use_rslora ? c.lora_alpha / Math.sqrt(c.r) : c.lora_alpha / c.r;
  return { source: dir, scale, rank: c.r, pairs };
}
