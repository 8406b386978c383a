/** `--quantize`: run a command through block-quantized weights (see core/model/quantize). */
import type { Argv } from 'yargs';
import type { WeightQuantization } from '../../model/quantize/weight-quantization.js';

type Flag = 'int4' | 'int8' | 'nf4';

/**
 * Generation takes int4/int8 (MatMulNBits, faster at small batches); scoring also takes nf4,
 * which only dequantizes in the graph and would make every decode step pay for that.
 */
export function withQuantizeOption<T>(y: Argv<T>, use: 'generate' | 'score' = 'generate') {
  const choices: readonly Flag[] = use === 'generate' ? ['int4', 'int8'] : ['int4', 'int8', 'nf4'];
  const describe =
    use === 'generate'
      ? 'generate through int4 or int8 block-quantized weights (built once, cached on disk): smaller and faster at small batches, slightly less exact'
      : 'score through nf4, int4 or int8 block-quantized projections (fp32 compute on the dequantized weights, as QLoRA trains)';
  return y.option('quantize', { choices, describe });
}

/** The spec for the flag, or undefined without it. */
export async function quantizationFromFlag(argv: { quantize?: string | undefined }): Promise<WeightQuantization | undefined> {
  if (argv.quantize === undefined) return undefined;
  const { parseWeightQuantization } = await import('../../model/quantize/weight-quantization.js');
  return parseWeightQuantization(argv.quantize);
}
