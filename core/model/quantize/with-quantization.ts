/** A model folder whose projections training and generation multiply through quantized weights (QLoRA). */
import type { ModelFolder } from '../folder/open-model-folder.js';
import { openQuantizedStore, type QuantizedStore } from './quantized-store.js';
import type { WeightQuantization } from './weight-quantization.js';

export type QuantizedModelFolder = ModelFolder & { readonly quantized?: QuantizedStore };

/** The folder as it is without a spec; with one, the folder carrying its quantized store (built once, cached). */
export async function withQuantization(folder: ModelFolder, spec: WeightQuantization | undefined): Promise<QuantizedModelFolder> {
  if (!spec) return folder;
  return { ...folder, quantized: await openQuantizedStore(folder.config, folder.weights, spec) };
}
