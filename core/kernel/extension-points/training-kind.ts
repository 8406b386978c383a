/**
 * What kind of training an objective is written for, and a trainer runs: supervised batches
 * (`sft`), chosen/rejected pairs (`preference`: DPO and relatives), or generated completions
 * scored by rewards (`rollout`: GRPO and relatives). An objective only makes sense under a
 * trainer of its own kind; the config validator refuses any other pairing, naming the key.
 */
export const trainingKinds = ['sft', 'preference', 'rollout'] as const;
export type TrainingKind = (typeof trainingKinds)[number];
