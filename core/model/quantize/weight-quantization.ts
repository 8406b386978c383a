/**
 * How the frozen linear weights of a decoder are stored for generation: `int4` or `int8`
 * block-wise (onnxruntime MatMulNBits), or not at all. Embeddings, norms and biases stay fp32;
 * so do LoRA factors, which are fed per run.
 */
import { z } from 'zod';

export const weightQuantizationSchema = z.strictObject({
  type: z.enum(['int4', 'int8']).describe('bits per weight: int4 (8× smaller than fp32) or int8 (4×)'),
  blockSize: z.union([z.literal(16), z.literal(32), z.literal(64), z.literal(128), z.literal(256)]).default(32).describe('weights per scale and zero point, along the input dim'),
  accuracyLevel: z
    .union([z.literal(0), z.literal(4)])
    .default(4)
    .describe('MatMulNBits accuracy_level: 0 computes in fp32; 4 quantizes the activations to int8 per block (faster, slightly less exact)'),
});

export type WeightQuantization = z.output<typeof weightQuantizationSchema>;

export const bitsOf = (q: Pick<WeightQuantization, 'type'>): 4 | 8 => (q.type === 'int4' ? 4 : 8);

/** `int4`, `int8` (with defaults), or a full spec. */
export function parseWeightQuantization(value: string | Partial<WeightQuantization>): WeightQuantization {
  return weightQuantizationSchema.parse(typeof value === 'string' ? { type: value } : value);
}
