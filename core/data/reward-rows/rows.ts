/**
 * Rows a reward model trains on, built from canonical examples: a text (and an optional second
 * segment) with a target — a score, a class, or a 0/1 relevance — or a chosen/rejected pair of
 * inputs. Inputs are what a sequence classifier is fed at scoring time (`attune classify`, the
 * reward plugins): `text` alone, or (`text`, `pair`) with the reply as the pair.
 */
export interface RewardInput {
  readonly text: string;
  readonly pair?: string;
}

export interface PointRow {
  /** The example it came from (a relevance negative adds `~neg<k>`). */
  readonly id: string;
  readonly input: RewardInput;
  /** Regression and binary: the target value; classification: the class index. */
  readonly target: number;
}

export interface PairRow {
  readonly id: string;
  readonly chosen: RewardInput;
  readonly rejected: RewardInput;
}

export type PointTask = 'regression' | 'binary' | 'classification';

export type RewardRows =
  | { readonly task: PointTask; readonly rows: readonly PointRow[]; readonly labels: readonly string[]; readonly skipped: number }
  | { readonly task: 'preference'; readonly rows: readonly PairRow[]; readonly labels: readonly string[]; readonly skipped: number };
