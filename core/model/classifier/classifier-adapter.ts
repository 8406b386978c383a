/**
 * A PEFT LoRA adapter on a sequence classifier (task_type SEQ_CLS: LoRA on the backbone's
 * projections plus a fully trained head in `modules_to_save`), merged at load: W + s·B·A for
 * every adapted weight (s = alpha/r, or alpha/√r with rsLoRA) and the saved head tensors in
 * place of the base ones. The merged tensors go to a temporary folder beside links to the base
 * shards, with an index mapping each tensor to its file, so the classifier graph reads the merged
 * model through the same file-backed path as any folder.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ModelFolderError } from '../folder/errors.js';
import { readJsonFile } from '../folder/json-file.js';
import { loraScale } from '../lora/lora-config.js';
import { mergeProjection } from '../lora/merge.js';
import { SafetensorsFile, toFloat32 } from '../safetensors/reader.js';
import { INDEX_FILE, SafetensorsWeights } from '../safetensors/sharded.js';
import { writeSafetensors } from '../safetensors/writer.js';
import type { TensorToWrite } from '../safetensors/writer.js';

const configSchema = z
  .object({
    peft_type: z.string().optional(),
    task_type: z.string().nullable().optional(),
    r: z.number().int().positive(),
    lora_alpha: z.number().positive(),
    use_rslora: z.boolean().optional(),
    use_dora: z.boolean().optional(),
    fan_in_fan_out: z.boolean().optional(),
    bias: z.string().optional(),
    layers_to_transform: z.unknown().optional(),
    rank_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
    alpha_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .loose();

export interface MergedClassifierWeights {
  readonly weights: SafetensorsWeights;
  /** Tensors the adapter changed: LoRA-merged projections and replaced head tensors. */
  readonly merged: readonly string[];
  readonly replaced: readonly string[];
  dispose(): Promise<void>;
}

const PREFIX = 'base_model.model.';

export async function mergeClassifierAdapter(base: SafetensorsWeights, adapterDir: string): Promise<MergedClassifierWeights> {
  const configFile = join(adapterDir, 'adapter_config.json');
  const parsed = configSchema.safeParse(await readJsonFile(configFile));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFolderError(`${configFile}: key "${issue.path.join('.') || '(root)'}": ${describeZodIssue(issue)}`, 'a PEFT adapter_config.json needs r, lora_alpha and target_modules');
  }
  const c = parsed.data;
  const refuse = (key: string, value: unknown): never => {
    throw new ModelFolderError(`${configFile}: key "${key}" is ${JSON.stringify(value)}, which Attune does not support`, 'save a plain LoRA adapter (PEFT LoraConfig without this option)');
  };
  if (c.peft_type !== undefined && c.peft_type !== 'LORA') refuse('peft_type', c.peft_type);
  if (c.task_type != null && c.task_type !== 'SEQ_CLS') refuse('task_type', c.task_type);
  if (c.use_dora) refuse('use_dora', c.use_dora);
  if (c.fan_in_fan_out) refuse('fan_in_fan_out', c.fan_in_fan_out);
  if (c.bias !== undefined && c.bias !== 'none') refuse('bias', c.bias);
  if (c.layers_to_transform != null) refuse('layers_to_transform', c.layers_to_transform);
  if (c.rank_pattern && Object.keys(c.rank_pattern).length > 0) refuse('rank_pattern', c.rank_pattern);
  if (c.alpha_pattern && Object.keys(c.alpha_pattern).length > 0) refuse('alpha_pattern', c.alpha_pattern);
  const scale = loraScale({ r: c.r, alpha: c.lora_alpha, useRslora: c.use_rslora ?? false });

  const file = await SafetensorsFile.open(join(adapterDir, 'adapter_model.safetensors'));
  const out: Record<string, TensorToWrite> = {};
  const merged: string[] = [];
  const replaced: string[] = [];
  const problems: string[] = [];
  const baseShape = (name: string): readonly number[] | undefined => (base.has(name) ? base.locate(name).shape : undefined);
  for (const key of file.names()) {
    const name = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
    const lora = /^(.*)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (lora) {
      const module = lora[1]!;
      const target = `${module}.weight`;
      const bKey = [`${PREFIX}${module}.lora_B.weight`, `${PREFIX}${module}.lora_B.default.weight`].find((k) => file.has(k));
      const shape = baseShape(target);
      if (!bKey) problems.push(`${file.path}: "${key}" has no lora_B partner`);
      else if (!shape || shape.length !== 2) problems.push(`${file.path}: "${key}" adapts "${target}", which the base model does not have as a matrix`);
      else {
        const a = toFloat32(await file.read(key), file.path);
        const b = toFloat32(await file.read(bKey), file.path);
        const [rows, cols] = shape as [number, number];
        if (a.length !== c.r * cols || b.length !== rows * c.r) problems.push(`${file.path}: "${key}" / lora_B do not fit "${target}" [${rows}, ${cols}] with r ${c.r}`);
        else {
          out[target] = { dtype: 'F32', shape: [rows, cols], data: mergeProjection(await base.readFloat32(target), a, b, scale, rows, cols, c.r) };
          merged.push(target);
        }
      }
      continue;
    }
    if (/\.lora_B(?:\.default)?\.weight$/.test(name)) continue;
    const saved = /^(.*)\.modules_to_save\.(?:default\.)?(.*)$/.exec(name);
    const target = saved ? `${saved[1]}.${saved[2]}` : name;
    const shape = baseShape(target);
    const tensor = await file.read(key);
    if (!shape) problems.push(`${file.path}: "${key}" replaces "${target}", which the base model does not have`);
    else if (shape.join(',') !== tensor.shape.join(',')) problems.push(`${file.path}: "${key}" has shape [${tensor.shape.join(', ')}]; the base "${target}" is [${shape.join(', ')}]`);
    else {
      out[target] = { dtype: 'F32', shape: [...shape], data: toFloat32(tensor, file.path) };
      replaced.push(target);
    }
  }
  if (problems.length > 0) throw new ModelFolderError(`adapter ${adapterDir} does not fit the model:\n  ${problems.join('\n  ')}`, 'the adapter was trained on another base model');
  if (merged.length === 0 && replaced.length === 0) throw new ModelFolderError(`${file.path}: no LoRA or modules_to_save tensors`, 'is this a PEFT adapter folder?');

  const dir = await mkdtemp(join(tmpdir(), 'attune-merged-classifier-'));
  try {
    const weightMap: Record<string, string> = {};
    const links = new Map<string, string>();
    for (const name of base.names()) {
      const path = base.locate(name).path;
      const link = links.get(path) ?? `base-${links.size}-${basename(path)}`;
      links.set(path, link);
      weightMap[name] = link;
    }
    for (const [path, link] of links) await symlink(path, join(dir, link));
    await writeSafetensors(join(dir, 'merged.safetensors'), out, { metadata: { format: 'pt' } });
    for (const name of Object.keys(out)) weightMap[name] = 'merged.safetensors';
    await writeFile(join(dir, INDEX_FILE), JSON.stringify({ metadata: { merged_from: adapterDir }, weight_map: weightMap }));
    const weights = await SafetensorsWeights.openFolder(dir);
    return { weights, merged, replaced, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
