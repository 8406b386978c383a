/**
 * `attune merge` and the recipes' merge stage: a base model folder and a LoRA adapter trained on
 * it → a complete Hugging Face folder with the adapter folded in (config, weights in the base's
 * shard layout with its index, tokenizer, generation config), optionally in another dtype. An
 * adapter that names a different base is refused, naming both, unless forced: its shapes may
 * match by accident (two fine-tunes of one architecture) and the merge would be silently wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openModelFolder } from '../folder/open-model-folder.js';
import { resolveModelFolder } from '../folder/resolve.js';
import { LoraError } from './errors.js';
import { writeMergedModel } from './merge.js';
import { loadLoraAdapter, parseAdapterConfig } from './peft-load.js';

export const mergeDtypes = { fp32: 'F32', fp16: 'F16', bf16: 'BF16' } as const;
export type MergeDtype = keyof typeof mergeDtypes;
const TORCH_DTYPE: Record<MergeDtype, string> = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16' };

export interface MergeRequest {
  /** Base model: folder, hub id in the local cache, or embedded model name. */
  readonly model: string;
  /** The adapter folder (adapter_config.json + adapter_model.safetensors), or a folder holding `adapter/` (a run's final). */
  readonly adapter: string;
  readonly out: string;
  readonly dtype?: MergeDtype;
  /** Merge even when the adapter names another base model. */
  readonly force?: boolean;
}

export interface MergeResult {
  readonly out: string;
  readonly base: string;
  readonly adapterBase: string | null;
  readonly mergedModules: number;
}

/** The adapter folder itself: `dir`, or `dir/adapter` when that holds the adapter (a run's final/). */
export function adapterFolder(dir: string): string {
  const nested = join(dir, 'adapter');
  return !existsSync(join(dir, 'adapter_config.json')) && existsSync(join(nested, 'adapter_config.json')) ? nested : dir;
}

/** Whether the adapter's recorded base and the model given are the same model. */
function sameBase(recorded: string, given: string, givenDir: string): boolean {
  if (recorded === given || basename(recorded) === basename(given) || basename(recorded) === basename(givenDir)) return true;
  try {
    return resolve(resolveModelFolder(recorded)) === resolve(givenDir);
  } catch {
    return false;
  }
}

export async function mergeAdapter(request: MergeRequest): Promise<MergeResult> {
  const folder = await openModelFolder(request.model);
  const adapterDir = adapterFolder(resolve(request.adapter));
  if (!existsSync(join(adapterDir, 'adapter_config.json'))) {
    throw new LoraError(`merge: ${request.adapter} holds no adapter_config.json (nor adapter/adapter_config.json).`, 'Point --adapter at a PEFT adapter folder, or at a run\'s final/ directory.');
  }
  // The names are compared before the shapes: "trained on X, not on Y" says more than a shape list.
  const configFile = join(adapterDir, 'adapter_config.json');
  const { baseModel } = parseAdapterConfig(JSON.parse(readFileSync(configFile, 'utf8')), configFile);
  if (baseModel && !request.force && !sameBase(baseModel, request.model, folder.dir)) {
    throw new LoraError(
      `merge: the adapter in ${adapterDir} was trained on '${baseModel}', not on '${request.model}' (${folder.dir}).`,
      'Merge into the model it was trained on; if they are the same model under two names, pass --force.',
    );
  }
  const adapter = await loadLoraAdapter(adapterDir, folder.config);
  const replaceFiles: Record<string, string> = {};
  if (request.dtype) {
    const config = JSON.parse(readFileSync(join(folder.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    replaceFiles['config.json'] = `${JSON.stringify({ ...config, torch_dtype: TORCH_DTYPE[request.dtype] }, null, 2)}\n`;
  }
  const out = resolve(request.out);
  await writeMergedModel(folder, adapter.state, out, { replaceFiles, ...(request.dtype ? { dtype: mergeDtypes[request.dtype] } : {}) });
  return { out, base: folder.dir, adapterBase: adapter.baseModel, mergedModules: [...adapter.state.pairs()].length };
}
