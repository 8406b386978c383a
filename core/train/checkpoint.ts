/**
 * The trainable weights of a LoRA stage in a checkpoint or final directory: the adapter in PEFT
 * layout with the heads beside it (`saveLoraAdapter`), and reading them back into live
 * parameters. The stage loop (`stage-loop.ts`) adds the optimizer state and the trainer state.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AttuneError } from '../base/errors.js';
import type { Parameter } from '../engine/optim/parameter.js';
import { exportParameters, loadParameters } from '../engine/optim/parameter-state.js';
import { ADAPTER_WEIGHTS_FILE, EXTRA_TENSORS_FILE, loadLoraAdapter, saveLoraAdapter } from '../model/lora/index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import type { LoraState } from '../model/lora/index.js';

export const checkpointFiles = {
  adapterDir: 'adapter',
  adapterWeights: `adapter/${ADAPTER_WEIGHTS_FILE}`,
  heads: `adapter/${EXTRA_TENSORS_FILE}`,
} as const;

export interface TrainableSet {
  readonly lora: LoraState;
  readonly heads: readonly Parameter[];
}

/** The path of `relative` inside checkpoint `dir`; a missing file is a located error saying what to do. */
export function requireCheckpointFile(dir: string, relative: string): string {
  const path = join(dir, relative);
  if (!existsSync(path)) throw new AttuneError(`Checkpoint ${dir} is missing ${relative}.`, 'The checkpoint is incomplete: resume from an earlier one (edit checkpoints/latest.json) or start a new run.');
  return path;
}

/** Writes `<dir>/adapter` as a PEFT adapter folder, the heads (when there are any) inside it. */
export async function saveTrainables(dir: string, params: TrainableSet, baseModel: string): Promise<void> {
  await saveLoraAdapter(join(dir, checkpointFiles.adapterDir), params.lora, { baseModel, extraTensors: params.heads });
}

/**
 * Restores the adapter and heads in place; validates everything first. The adapter is read by
 * `loadLoraAdapter` against the base model, so a checkpoint of another model or LoRA config fails
 * naming the tensor or setting before anything is written.
 */
export async function loadTrainables(dir: string, params: TrainableSet, model: DecoderConfig): Promise<void> {
  if (params.heads.length > 0) requireCheckpointFile(dir, checkpointFiles.heads);
  const adapter = await readMatchingAdapter(dir, params.lora, model);
  // Each loader checks every name and shape before it copies.
  loadParameters(params.lora.parameters, exportParameters(adapter.state.parameters), join(dir, checkpointFiles.adapterWeights));
  loadParameters(params.heads, exportParameters(adapter.extraTensors), join(dir, checkpointFiles.heads));
}

/**
 * The LoRA factors of an earlier stage's `dir` (its final or a checkpoint) as the start of this
 * one: the adapter must have this stage's LoRA config; heads saved beside it are not this stage's
 * business and are left alone (a later stage may train other heads, or none).
 */
export async function loadStartAdapter(dir: string, lora: LoraState, model: DecoderConfig): Promise<void> {
  const adapter = await readMatchingAdapter(dir, lora, model);
  loadParameters(lora.parameters, exportParameters(adapter.state.parameters), join(dir, checkpointFiles.adapterWeights));
}

async function readMatchingAdapter(dir: string, lora: LoraState, model: DecoderConfig): ReturnType<typeof loadLoraAdapter> {
  requireCheckpointFile(dir, checkpointFiles.adapterWeights);
  const adapter = await loadLoraAdapter(join(dir, checkpointFiles.adapterDir), model);
  const saved = adapter.state.config;
  const now = lora.config;
  if (saved.r !== now.r || saved.alpha !== now.alpha || saved.useRslora !== now.useRslora || saved.targetModules.join() !== now.targetModules.join()) {
    throw new AttuneError(
      `Checkpoint ${dir} holds a LoRA adapter with r=${saved.r}, alpha=${saved.alpha}, targets [${saved.targetModules.join(', ')}]; this run has r=${now.r}, alpha=${now.alpha}, targets [${now.targetModules.join(', ')}].`,
      'Resume with the config the run started with (or, for a stage that continues another, give both the same lora settings).',
    );
  }
  return adapter;
}
