/**
 * TRL DPOTrainer's logged quantities, pooled over the pairs of a step or of an evaluation:
 * with h = log π_θ(y) − log π_ref(y), rewards/chosen = mean β·h_c, rewards/rejected = mean β·h_r,
 * rewards/margins = mean β·(h_c − h_r), rewards/accuracies = mean [h_c > h_r] (strict, so 0 at
 * step 0 where every h is 0), logps/chosen and logps/rejected = mean Σ log π_θ of each side.
 */
export class PairStats {
  private n = 0;
  private chosenReward = 0;
  private rejectedReward = 0;
  private correct = 0;
  private chosenLogProbs = 0;
  private rejectedLogProbs = 0;

  constructor(private readonly beta: number) {}

  add(policyChosen: number, policyRejected: number, referenceChosen: number, referenceRejected: number): void {
    const hc = policyChosen - referenceChosen;
    const hr = policyRejected - referenceRejected;
    this.n++;
    this.chosenReward += this.beta * hc;
    this.rejectedReward += this.beta * hr;
    if (hc > hr) this.correct++;
    this.chosenLogProbs += policyChosen;
    this.rejectedLogProbs += policyRejected;
  }

  /** Adds a batch: `policy` holds the chosen rows' Σ log π, then the rejected rows' (as the graph outputs them). */
  addBatch(policy: Float32Array, reference: { readonly chosen: Float32Array; readonly rejected: Float32Array }): void {
    const P = reference.chosen.length;
    for (let p = 0; p < P; p++) this.add(policy[p]!, policy[P + p]!, reference.chosen[p]!, reference.rejected[p]!);
  }

  metrics(): Record<string, number> {
    const n = Math.max(1, this.n);
    return {
      'rewards/chosen': this.chosenReward / n,
      'rewards/rejected': this.rejectedReward / n,
      'rewards/margins': (this.chosenReward - this.rejectedReward) / n,
      'rewards/accuracies': this.correct / n,
      'logps/chosen': this.chosenLogProbs / n,
      'logps/rejected': this.rejectedLogProbs / n,
    };
  }
}
