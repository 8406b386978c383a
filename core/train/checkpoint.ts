/**
 * What an SFT checkpoint holds, and how it is written and read back: the adapter in PEFT layout
 * with the heads beside it (`saveLoraAdapter`), the optimizer state, and the trainer state (step, sampler, RNG) that makes a resumed
 * run continue the exact same trajectory.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AttuneError } from '../base/errors.js';
import { writeJsonAtomic } from '../base/atomic-write.js';
import type { Optimizer } from '../engine/optim/optimizer.js';
import type { Parameter } from '../engine/optim/parameter.js';
import { exportParameters, loadParameters } from '../engine/optim/parameter-state.js';
import type { StoredTensorMap } from '../engine/optim/tensor-map.js';
import type { RngState } from '../base/rng.js';
import { ADAPTER_WEIGHTS_FILE, EXTRA_TENSORS_FILE, loadLoraAdapter, saveLoraAdapter } from '../model/lora/index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import type { LoraState } from '../model/lora/index.js';
import { readTensorFile, writeTensorFile } from './tensor-files.js';

export const checkpointFiles = {
  adapterDir: 'adapter',
  adapterWeights: `adapter/${ADAPTER_WEIGHTS_FILE}`,
  heads: `adapter/${EXTRA_TENSORS_FILE}`,
  optimizer: 'optimizer.safetensors',
  state: 'trainer_state.json',
} as const;

export interface TrainerState {
  readonly version: 1;
  /** Optimizer steps completed. */
  readonly step: number;
  /** The sampler's own serialized state (mixture or curriculum). */
  readonly sampler: unknown;
  /** The stream LoRA dropout masks are drawn from. */
  readonly rng: RngState;
  /** Terms and weights in force, checked on resume. */
  readonly terms: readonly { readonly name: string; readonly weight: number }[];
}

export interface TrainableSet {
  readonly lora: LoraState;
  readonly heads: readonly Parameter[];
}

/** Writes `<dir>/adapter` as a PEFT adapter folder, the heads (when there are any) inside it. */
export async function saveTrainables(dir: string, params: TrainableSet, baseModel: string): Promise<void> {
  await saveLoraAdapter(join(dir, checkpointFiles.adapterDir), params.lora, { baseModel, extraTensors: params.heads });
}

export async function saveCheckpoint(dir: string, params: TrainableSet, optimizer: Optimizer, state: TrainerState, baseModel: string): Promise<void> {
  await saveTrainables(dir, params, baseModel);
  await writeTensorFile(join(dir, checkpointFiles.optimizer), optimizer.exportState());
  await writeJsonAtomic(join(dir, checkpointFiles.state), state);
}

/**
 * Restores parameters and optimizer in place and returns the trainer state; validates everything
 * first. The adapter is read by `loadLoraAdapter` against the base model, so a checkpoint of
 * another model or LoRA config fails naming the tensor or setting before anything is written.
 */
export async function loadCheckpoint(dir: string, params: TrainableSet, optimizer: Optimizer, model: DecoderConfig): Promise<TrainerState> {
  const need = (relative: string): string => {
    const path = join(dir, relative);
    if (!existsSync(path)) throw new AttuneError(`Checkpoint ${dir} is missing ${relative}.`, 'The checkpoint is incomplete: resume from an earlier one (edit checkpoints/latest.json) or start a new run.');
    return path;
  };
  const state = JSON.parse(await readFile(need(checkpointFiles.state), 'utf8')) as TrainerState;
  if (state.version !== 1 || !Number.isSafeInteger(state.step)) throw new AttuneError(`${join(dir, checkpointFiles.state)}: unsupported or malformed trainer state.`);
  need(checkpointFiles.adapterWeights);
  if (params.heads.length > 0) need(checkpointFiles.heads);
  const adapter = await loadLoraAdapter(join(dir, checkpointFiles.adapterDir), model);
  const saved = adapter.state.config;
  const now = params.lora.config;
  if (saved.r !== now.r || saved.alpha !== now.alpha || saved.useRslora !== now.useRslora || saved.targetModules.join() !== now.targetModules.join()) {
    throw new AttuneError(
      `Checkpoint ${dir} holds a LoRA adapter with r=${saved.r}, alpha=${saved.alpha}, targets [${saved.targetModules.join(', ')}]; this run has r=${now.r}, alpha=${now.alpha}, targets [${now.targetModules.join(', ')}].`,
      'Resume with the config the run started with.',
    );
  }
  const optimizerState = await readTensorFile(need(checkpointFiles.optimizer));
  // Each loader checks every name and shape before it copies; a failed resume stops the run.
  loadParameters(params.lora.parameters, exportParameters(adapter.state.parameters), join(dir, checkpointFiles.adapterWeights));
  loadParameters(params.heads, exportParameters(adapter.extraTensors), join(dir, checkpointFiles.heads));
  optimizer.loadState(optimizerState as StoredTensorMap, join(dir, checkpointFiles.optimizer));
  return state;
}
