/**
 * Starting values for full fine-tuning: every weight of the checkpoint as a float32 optimizer
 * parameter named by its HF tensor name (the names `DecoderTrace` gives its parameters).
 */
import type { Parameter } from '../../engine/optim/parameter.js';
import { expectedTensors } from '../folder/expected-tensors.js';
import type { DecoderModel } from './decoder-trace.js';

export async function readFullParameters(model: DecoderModel): Promise<Parameter[]> {
  const out: Parameter[] = [];
  for (const { name, shape } of expectedTensors(model.config)) {
    out.push({ name, shape, data: await model.weights.readFloat32(name) });
  }
  return out;
}
