/**
 * The model a command talks to: `--model` (a folder or embedded name) with `--adapter <dir>`, or
 * `--run <dir>` (its final adapter, and its base unless --model names one), with `--quantize`.
 * Shared by respond and evaluate.
 */
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import { quantizationFromFlag, withQuantizeOption } from './quantize-option.js';
import { DEFAULT_MODEL } from '../../model/folder/resolve.js';
import type { InferenceModel } from '../../model/generation/inference-model.js';

export interface ModelTargetArgs {
  model?: string | undefined;
  adapter?: string | undefined;
  run?: string | undefined;
  quantize?: string | undefined;
}

export function withModelTargetOptions<T>(y: Argv<T>) {
  return withQuantizeOption(y)
    .option('model', { type: 'string', describe: `base model folder or embedded name (default ${DEFAULT_MODEL}, or the run's base with --run)` })
    .option('adapter', { type: 'string', describe: 'PEFT LoRA adapter folder to apply' })
    .option('run', { type: 'string', describe: "a training run's folder: its final adapter (and its base model)" })
    .conflicts('adapter', 'run');
}

export interface ModelTarget {
  readonly model: InferenceModel;
  /** How replies name it: the base, plus the adapter folder when there is one. */
  readonly id: string;
  readonly base: string;
  readonly adapterDir?: string;
}

export async function openModelTarget(argv: ModelTargetArgs): Promise<ModelTarget> {
  const [{ InferenceModel }, { findRunAdapter }] = await Promise.all([import('../../model/generation/inference-model.js'), import('../../model/generation/run-adapter.js')]);
  let base = argv.model;
  let adapterDir = argv.adapter;
  if (argv.run !== undefined) {
    const found = findRunAdapter(argv.run);
    adapterDir = found.adapterDir;
    base ??= found.baseModel;
    if (base === undefined) {
      throw new AttuneError(`run ${found.runDir}: neither ${found.adapterDir}/adapter_config.json (base_model_name_or_path) nor the run config (model) names the base model`, 'pass it with --model <folder or embedded name>');
    }
  }
  base ??= DEFAULT_MODEL;
  const model = await InferenceModel.open(base, { ...(adapterDir !== undefined ? { adapter: adapterDir } : {}), quantization: await quantizationFromFlag(argv) });
  const name = basename(model.folder.dir);
  return { model, base: name, id: adapterDir !== undefined ? `${name}+${adapterDir}` : name, ...(adapterDir !== undefined ? { adapterDir } : {}) };
}
