/** Names of the inputs a decoder graph is fed under, shared by the training trace and generation. */
import type { LoraTargetModule } from '../lora/targets.js';

export const DECODER_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  labels: 'labels',
  loraDropout: (layer: number, module: LoraTargetModule): string => `lora_dropout.${layer}.${module}`,
} as const;

/** One LoRA dropout mask input: [batch, seq, inDim], 0 or 1/(1−p) per element. */
export interface DropoutInput {
  readonly name: string;
  readonly layer: number;
  readonly module: LoraTargetModule;
  readonly inDim: number;
  readonly p: number;
}
