/**
 * How much each micro-batch of an optimizer step counts. The LM loss is a mean over target
 * tokens, so a micro-batch counts by its target tokens and the step descends the mean over all
 * of them, whatever the micro-batch lengths (GradientAccumulator scaleBy 'tokens'). A step with
 * no target tokens at all (only classify examples, which train heads alone) counts each
 * micro-batch once instead, so head-only data still trains rather than dividing by zero.
 */
export function microBatchWeights(targetTokens: readonly number[]): number[] {
  const total = targetTokens.reduce((a, b) => a + b, 0);
  return total > 0 ? [...targetTokens] : targetTokens.map(() => 1);
}
