/**
 * The objective contract of `preference` trainers (DPO and relatives): a term built once into the
 * trainer's graph from the summed completion log-probs of each pair's chosen and rejected reply
 * under the policy and the reference. The trainer owns the decoder trace, the pairing of rows
 * and the step normalization; a term returns one loss per pair and says what it is a mean over.
 */
import type { Graph, Tensor } from '../../engine/index.js';
import type { Objective } from '../../kernel/extension-points/objective.js';

export interface PreferenceBuildContext {
  readonly graph: Graph;
  /** log π_θ(y_c | x) [pairs]: Σ over the chosen completion's tokens (no length normalization). */
  readonly chosenLogProbs: Tensor;
  readonly rejectedLogProbs: Tensor;
  /** log π_ref(y | x) [pairs], fed (precomputed, or computed before the step with the reference adapter). */
  readonly referenceChosenLogProbs: Tensor;
  readonly referenceRejectedLogProbs: Tensor;
  /** Completion token counts |y_c|, |y_r| [pairs] (float). */
  readonly chosenTokens: Tensor;
  readonly rejectedTokens: Tensor;
}

export interface PreferenceTerm {
  /** Logged as loss_<name> (unweighted); e.g. `sigmoid`, `sft`. */
  readonly name: string;
  /** Weight within the objective (TRL's loss_weights); the objective's own weight multiplies it. */
  readonly weight: number;
  /** Loss per pair [pairs]; the trainer sums it over the step's pairs and applies the normalizer. */
  readonly perPair: Tensor;
  /**
   * `pairs`: a mean over the step's pairs (every DPO loss); `chosenTokens`: a mean over the
   * step's chosen completion tokens (the SFT term of RPO, a token-mean NLL).
   */
  readonly meanOver: 'pairs' | 'chosenTokens';
}

export interface PreferenceObjective extends Objective<PreferenceBuildContext, PreferenceTerm[]> {
  readonly kind: 'preference';
  /** β of the implicit reward β·(log π_θ − log π_ref): the trainer's rewards/* metrics use it. */
  readonly beta: number;
}
