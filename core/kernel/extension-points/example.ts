/**
 * The data types every contract names: the messages a model sees, the canonical example every
 * DatasetSource yields, and a located bad row. The kernel's view of labels is an open map
 * (`emotion`, `strategy`, `scores`, or anything a third-party source adds); `attune/data` has
 * the schemas of the labels the built-in sources write and validated readers for them.
 */
export type Role = 'system' | 'user' | 'assistant';

export interface Message {
  role: Role;
  content: string;
}

/**
 * - dialogue: `messages` ends with the assistant turn to learn (the target);
 * - classify: `messages` is the text to classify (no assistant target needed);
 * - preference: `messages` is the prompt; `preference` holds chosen and rejected replies;
 * - prompt-only: `messages` is a prompt for generation (GRPO rollouts, evaluation).
 */
export type ExampleKind = 'dialogue' | 'classify' | 'preference' | 'prompt-only';

/** Labels by name; values are whatever the source writes (read them through a validating reader). */
export type ExampleLabels = { readonly [name: string]: unknown };

export interface Preference {
  chosen: string;
  rejected: string;
  /** How much better `chosen` is, in the source's own unit (upvotes, quality levels). */
  margin?: number;
}

export interface Provenance {
  source: string;
  split: string;
  /** File the row came from (as the user named it, or the shipped slice). */
  file: string;
  /** 1-based row (CSV/TSV/JSONL line, or JSON array index + 1). */
  row: number;
  /** Dialogue/conversation id and turn index when the example comes from a dialogue. */
  dialogId?: string;
  turn?: number;
}

export interface CanonicalExample<Labels extends ExampleLabels = ExampleLabels> {
  id: string;
  kind: ExampleKind;
  /** The only part that may reach a model. */
  messages: Message[];
  labels: Labels;
  preference?: Preference;
  /** Source-specific context (situation, problem type, topic …): never a model input by default. */
  metadata: Record<string, string | number | boolean>;
  provenance: Provenance;
}

/** A malformed row, located. */
export interface RowIssue {
  file: string;
  /** 1-based row or line number in `file`. */
  row: number;
  /** Column or key, when one is to blame. */
  field?: string;
  reason: string;
}
