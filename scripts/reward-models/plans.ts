/**
 * The embedded reward models: which `reward-model` config each is trained with, on which of the
 * shared data's folders (full releases; the recipe's own train/validation splits), for how long,
 * and how a reward plugin should use it.
 */
export interface SourcePlan {
  readonly use: string;
  /** Folder under the data directory; none: the slice the source ships (ED: the shared copy is that prefix). */
  readonly folder?: string;
  readonly options?: Record<string, unknown>;
  readonly license: string;
}

export interface RewardModelPlan {
  readonly name: string;
  readonly summary: string;
  readonly config: string;
  readonly sources: readonly SourcePlan[];
  /** Trainer options over the config's. */
  readonly trainer: Record<string, unknown>;
  /** How a GRPO config (or `attune score`) uses it. */
  readonly usage: string;
  /** What the held-out figure should be read against. */
  readonly context: string;
}

export const REWARD_MODEL_PLANS: Record<string, RewardModelPlan> = {
  empathy: {
    name: 'attune-empathy-tiny',
    summary:
      'An empathy regressor: `Qwen2ForSequenceClassification` (one output, `problem_type: regression`) that reads one conversation turn and predicts its WASSA 2024 turn-level Empathy score (0–5).',
    config: 'configs/reward-model/empathy.yaml',
    sources: [{ use: 'sources/wassa', folder: 'wassa_conv_turn', options: { release: '2024' }, license: 'no license stated; distributed by the WASSA 2023/2024 shared-task organisers for research use' }],
    trainer: { steps: 1400, evalEvery: 200, checkpointEvery: 200, evalExamples: 1000 },
    usage: "rewards:\n  - use: rewards/empathy\n    options: { model: attune-empathy-tiny, range: [0, 5] }",
    context:
      'For scale: the WASSA 2024 CONVT (turn-level) systems report Pearson r around 0.5 with large fine-tuned encoders, on the shared task\'s test set; the figure above is on its dev set (the `validation` split here), and comes from an 11 M-parameter model trained for minutes on 2 CPU cores. Predicting the training mean everywhere gives the baseline MAE above.',
  },
  relevance: {
    name: 'attune-relevance-tiny',
    summary:
      'A relevance cross-encoder: `Qwen2ForSequenceClassification` with one output that reads (user turn, reply) and scores whether the reply answers that turn (sigmoid(logit) = probability); trained with BCE on real replies against replies drawn from other conversations.',
    config: 'configs/reward-model/relevance.yaml',
    sources: [
      { use: 'sources/esconv', folder: 'esconv', license: 'CC BY-NC 4.0, thu-coai (academic research use only)' },
      { use: 'sources/ed', license: 'CC BY-NC (see the shared SOURCE.md), facebookresearch' },
      { use: 'sources/counselchat', folder: 'counsel_chat', license: 'MIT, nbertagnolli/counsel-chat' },
    ],
    trainer: { steps: 1000, evalEvery: 250, checkpointEvery: 250, evalExamples: 2000 },
    usage: "rewards:\n  - use: rewards/semantic-similarity\n    options: { model: attune-relevance-tiny, temperature: 1 }",
    context:
      'Random negatives are easy negatives: a reply from another conversation often talks about something else entirely. AUC here measures topical fit, not whether a reply is good; it is a stand-in for the seed recipe\'s stsb-roberta-large cross-encoder, not its equal.',
  },
};
