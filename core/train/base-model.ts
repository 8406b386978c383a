/**
 * The base model a training recipe opens: the folder, and — with a `quantization` spec (QLoRA) —
 * its projections block-quantized, built once and cached, which the run's log says; with
 * `gradientCheckpointing`, every training graph traced from it recomputes layer activations in
 * the backward instead of keeping them.
 */
import { z } from 'zod';
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

/** The recipe config key; absent means on with `quantization`, off without (as PEFT's prepare_model_for_kbit_training). */
export const gradientCheckpointingOption = z
  .boolean()
  .optional()
  .describe("recompute each decoder layer's activations in the backward instead of keeping them: far less memory for about a third more step time (default: on with quantization, off without)");

/** The keys every training recipe takes for its base model, to spread into its config schema. */
export const baseModelOptions = { quantization: quantizationOption, gradientCheckpointing: gradientCheckpointingOption };

export interface BaseModelOptions {
  readonly quantization?: WeightQuantization | undefined;
  readonly gradientCheckpointing?: boolean | undefined;
}

export type BaseModel = QuantizedModelFolder & { readonly checkpointLayers: boolean };

export async function openBaseModel(run: RunContext, model: string, options: BaseModelOptions = {}): Promise<BaseModel> {
  const folder = await openModelFolder(model);
  const { quantization } = options;
  const checkpointLayers = options.gradientCheckpointing ?? quantization !== undefined;
  if (checkpointLayers) run.log(`${model}: gradient checkpointing on — each layer's activations are recomputed in the backward`);
  if (!quantization) return { ...folder, checkpointLayers };
  const started = performance.now();
  const quantized = await withQuantization(folder, quantization);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  run.log(`${model}: projections quantized to ${quantization.type} (block ${quantization.blockSize}), ${quantized.quantized?.built ? `built in ${seconds} s` : 'read from the cache'}: ${quantized.quantized?.file}`);
  return { ...quantized, checkpointLayers };
}
