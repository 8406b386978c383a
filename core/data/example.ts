/**
 * The canonical example: what every DatasetSource yields and every trainer consumes.
 *
 * `messages` is the only part that may reach a model. Labels, metadata and provenance
 * describe the example for objectives, evaluators and reports; they enter model inputs
 * only when a config opts in explicitly (`exposeMetadata`, checked by `core/data/inspect/leakage.ts`).
 */
import { z } from 'zod';
import type { CanonicalExample as OpenExample, ExampleLabels, Message as KernelMessage, Role as KernelRole } from '../kernel/extension-points/example.js';

export type Role = KernelRole;
export type Message = KernelMessage;
export const roleSchema = z.enum(['system', 'user', 'assistant']) satisfies z.ZodType<Role>;
export const messageSchema = z.object({ role: roleSchema, content: z.string() }) satisfies z.ZodType<Message>;

/**
 * - dialogue: `messages` ends with the assistant turn to learn (the target);
 * - classify: `messages` is the text to classify (no assistant target needed);
 * - preference: `messages` is the prompt; `preference` holds chosen and rejected replies;
 * - prompt-only: `messages` is a prompt for generation (GRPO rollouts, evaluation).
 */
export const exampleKindSchema = z.enum(['dialogue', 'classify', 'preference', 'prompt-only']);
export type ExampleKind = z.infer<typeof exampleKindSchema>;

export const emotionLabelSchema = z.object({
  /** Which label set the value belongs to, e.g. `goemotions-28`, `ed-32`. */
  taxonomy: z.string(),
  /** One label for single-label use; `all` keeps every label of multi-label data. */
  label: z.string(),
  all: z.array(z.string()).optional(),
});
export type EmotionLabel = z.infer<typeof emotionLabelSchema>;

/** The labels the built-in sources write; other keys pass through (the kernel's labels map is open). */
export const exampleLabelsSchema = z.looseObject({
  emotion: emotionLabelSchema.optional(),
  /** ESConv support strategy of the target supporter turn (normalized spelling). */
  strategy: z.string().optional(),
  /** Continuous empathy-related scores (WASSA: Emotion, EmotionalPolarity, Empathy). */
  scores: z.record(z.string(), z.number()).optional(),
  /** AnnoMI session quality. */
  miQuality: z.enum(['high', 'low']).optional(),
  /** AnnoMI therapist behaviour / client talk type of the target turn. */
  miBehaviour: z.string().optional(),
});
/** The known labels, typed; a source's examples carry these plus any others. */
export type KnownLabels = z.infer<typeof exampleLabelsSchema> & ExampleLabels;

export const preferenceSchema = z.object({
  chosen: z.string(),
  rejected: z.string(),
  /** How much better `chosen` is, in the source's own unit (upvotes, quality levels). */
  margin: z.number().optional(),
});
export type Preference = z.infer<typeof preferenceSchema>;

export const provenanceSchema = z.object({
  source: z.string(),
  split: z.string(),
  /** File the row came from (as the user named it, or the shipped slice). */
  file: z.string(),
  /** 1-based row (CSV/TSV/JSONL line, or JSON array index + 1). */
  row: z.number().int(),
  /** Dialogue/conversation id and turn index when the example comes from a dialogue. */
  dialogId: z.string().optional(),
  turn: z.number().int().optional(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

export const canonicalExampleSchema = z.object({
  id: z.string(),
  kind: exampleKindSchema,
  messages: z.array(messageSchema),
  labels: exampleLabelsSchema,
  preference: preferenceSchema.optional(),
  /** Source-specific context (situation, problem type, topic …): never a model input by default. */
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  provenance: provenanceSchema,
});
/** The kernel's canonical example (open labels map). */
export type CanonicalExample = OpenExample;
/** An example whose labels are the known ones: what the built-in sources build. */
export type KnownExample = OpenExample<KnownLabels>;
// The schema describes exactly the kernel's type (a compile-time check, no runtime cost).
canonicalExampleSchema satisfies z.ZodType<KnownExample>;
