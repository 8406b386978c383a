/** `--quantize int4|int8`: generate through block-quantized weights (see core/model/quantize). */
import type { Argv } from 'yargs';
import type { WeightQuantization } from '../../model/quantize/weight-quantization.js';

export function withQuantizeOption<T>(y: Argv<T>) {
  return y.option('quantize', {
    choices: ['int4', 'int8'] as const,
    describe: 'generate through int4 or int8 block-quantized weights (built once, cached on disk): smaller and faster at small batches, slightly less exact',
  });
}

/** The InferenceModel option for the flag, or nothing without it. */
export async function quantizationOption(argv: { quantize?: 'int4' | 'int8' | 'nf4' | undefined }): Promise<{ quantization?: WeightQuantization }> {
  if (argv.quantize === undefined) return {};
  const { parseWeightQuantization } = await import('../../model/quantize/weight-quantization.js');
  return { quantization: parseWeightQuantization(argv.quantize) };
}
