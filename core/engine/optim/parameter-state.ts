/**
 * Parameters to and from a TensorMap under their own names, so a saved map is a plain
 * weights file. Restores copy into the existing arrays, which sessions may already reference.
 */
import type { Parameter } from './parameter.js';
import { readF32, rejectUnexpected, f32Entry, type StoredTensorMap, type TensorEntry } from './tensor-map.js';

export function exportParameters(params: readonly Parameter[]): Record<string, TensorEntry> {
  const map: Record<string, TensorEntry> = {};
  for (const param of params) map[param.name] = f32Entry(param.shape, param.data);
  return map;
}

/**
 * Validates every name and shape before writing anything, so a mismatched checkpoint leaves
 * the parameters untouched. `what` names the checkpoint (e.g. its file) in errors.
 */
export function loadParameters(params: readonly Parameter[], map: StoredTensorMap, what = 'parameter checkpoint'): void {
  const sources = params.map((param) => readF32(map, param.name, param.shape, what));
  rejectUnexpected(map, new Set(params.map((p) => p.name)), what);
  params.forEach((param, i) => param.data.set(sources[i] as Float32Array));
}
