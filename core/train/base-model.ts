/**
 * The base model a training recipe opens: the folder, and — with a `quantization` spec (QLoRA) —
 * its projections block-quantized, built once and cached, which the run's log says.
 */
import type { z } from 'zod';
import type { RunContext } from '../kernel/runs/run-context.js';
import { openModelFolder } from '../model/folder/open-model-folder.js';
import { withQuantization, type QuantizedModelFolder } from '../model/quantize/with-quantization.js';
import { completeQuantization, weightQuantizationSchema, type WeightQuantization } from '../model/quantize/weight-quantization.js';

/** The recipe config key. */
export const quantizationOption = weightQuantizationSchema
  .transform(completeQuantization)
  .optional()
  .describe('QLoRA: train the adapter on nf4/int4/int8 block-quantized frozen projections (fp32 compute on the dequantized weights; the adapter loads on the fp32 base). Absent: fp32 weights');

export type QuantizationOption = z.output<typeof quantizationOption>;

export async function openBaseModel(run: RunContext, model: string, quantization: WeightQuantization | undefined): Promise<QuantizedModelFolder> {
  const folder = await openModelFolder(model);
  if (!quantization) return folder;
  const started = performance.now();
  const quantized = await withQuantization(folder, quantization);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  run.log(`${model}: projections quantized to ${quantization.type} (block ${quantization.blockSize}), ${quantized.quantized?.built ? `built in ${seconds} s` : 'read from the cache'}: ${quantized.quantized?.file}`);
  return quantized;
}
