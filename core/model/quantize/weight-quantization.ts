/**
 * How the frozen linear weights of a decoder are stored: `int4` or `int8` block-wise (onnxruntime
 * MatMulNBits), `nf4` (bitsandbytes' NormalFloat, QLoRA's format), or not at all. Embeddings,
 * norms and biases stay fp32; so do LoRA factors, which are fed per run.
 */
import { z } from 'zod';

export const weightQuantizationSchema = z.strictObject({
  type: z
    .enum(['int4', 'int8', 'nf4'])
    .describe('int4 or int8 (asymmetric blocks, onnxruntime MatMulNBits: fast forward), or nf4 (bitsandbytes NormalFloat: QLoRA\'s format, dequantized in the graph)'),
  blockSize: z
    .union([z.literal(16), z.literal(32), z.literal(64), z.literal(128), z.literal(256)])
    .optional()
    .describe('weights per scale (and zero point), along the input dim; default 32, 64 for nf4 (as bitsandbytes)'),
  doubleQuant: z.boolean().default(true).describe('nf4: store the block absmax values as int8 in groups of 256 (QLoRA\'s double quantization)'),
  accuracyLevel: z
    .union([z.literal(0), z.literal(4)])
    .default(4)
    .describe('MatMulNBits accuracy_level: 0 computes in fp32; 4 quantizes the activations to int8 per block (faster, slightly less exact)'),
});

type ParsedSpec = z.output<typeof weightQuantizationSchema>;
export type WeightQuantization = Omit<ParsedSpec, 'blockSize'> & { readonly blockSize: number };

export const bitsOf = (q: Pick<WeightQuantization, 'type'>): 4 | 8 => (q.type === 'int8' ? 8 : 4);

/** The spec with its defaults filled in (the block size depends on the type). */
export function completeQuantization(spec: ParsedSpec): WeightQuantization {
  return { ...spec, blockSize: spec.blockSize ?? (spec.type === 'nf4' ? 64 : 32) };
}

/** `int4`, `int8`, `nf4` (with defaults), or a full spec. */
export function parseWeightQuantization(value: string | Partial<ParsedSpec>): WeightQuantization {
  return completeQuantization(weightQuantizationSchema.parse(typeof value === 'string' ? { type: value } : value));
}
