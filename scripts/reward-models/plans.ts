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
      'A relevance cross-encoder: `Qwen2ForSequenceClassification` with one output that reads (user turn, reply) as a two-turn conversation through the chat template and scores whether the reply answers that turn (sigmoid(logit) = probability); trained with BCE on real replies against replies drawn from other conversations.',
    config: 'configs/reward-model/relevance.yaml',
    sources: [
      { use: 'sources/esconv', folder: 'esconv', license: 'CC BY-NC 4.0, thu-coai (academic research use only)' },
      { use: 'sources/ed', license: 'CC BY-NC (see the shared SOURCE.md), facebookresearch' },
      { use: 'sources/counselchat', folder: 'counsel_chat', license: 'MIT, nbertagnolli/counsel-chat' },
    ],
    trainer: { steps: 2000, evalEvery: 500, checkpointEvery: 250, evalExamples: 1000 },
    usage: "rewards:\n  - use: rewards/semantic-similarity\n    options: { model: attune-relevance-tiny, temperature: 1 }",
    context:
      'Random negatives are easy negatives only in part: ESConv\'s supporter turns are often generic ("I understand how you feel") and fit many conversations, so even a perfect topical matcher stays well below AUC 1 here. AUC measures topical fit, not whether a reply is good; the model is a stand-in for the seed recipe\'s stsb-roberta-large cross-encoder, not its equal. On the same 1,000 held-out pairs, `rewards/lm-relevance` (PMI under the untrained base) reaches AUC 0.595 and this model, read through `rewards/semantic-similarity`, 0.661 (the plugin reads pairs up to 512 tokens, training 192). Earlier, shorter attempts stayed near chance: pairs read back to back for 250 steps (AUC 0.52), chat-framed for 300 steps (0.58). This run differs in the chat frame, 2,000 steps and a lower learning rate (3e-4, head ×3, instead of 5e-4, head ×10). Its weakness: generic empathic replies score high. After "I just got promoted at work today!", "I understand how you feel." scores 0.579 and "Congratulations! You must be so proud of yourself." 0.548 (lm-relevance: 0.783 and 0.506); after "My car broke down on the highway and I was stuck for hours.", "That sounds awful, were you able to get a tow truck?" scores 0.522 and "I love baking cookies with my kids on the weekend." 0.477. Its logits span about ±0.3, so at temperature 1 its scores stay within about 0.42–0.58.',
  },
};
