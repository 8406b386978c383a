/** Named float32/int64 tensors to and from a .safetensors file, for checkpoints. */
import { SafetensorsFile } from '../model/safetensors/reader.js';
import type { LoadedTensor } from '../model/safetensors/reader.js';
import { writeSafetensors } from '../model/safetensors/writer.js';
import type { TensorEntry } from '../engine/optim/tensor-map.js';

export async function writeTensorFile(path: string, tensors: Readonly<Record<string, TensorEntry>>): Promise<void> {
  await writeSafetensors(path, Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.data }])), { metadata: { format: 'pt' } });
}

export async function readTensorFile(path: string): Promise<Record<string, LoadedTensor>> {
  const file = await SafetensorsFile.open(path);
  const out: Record<string, LoadedTensor> = {};
  for (const name of file.names()) out[name] = await file.read(name);
  return out;
}
