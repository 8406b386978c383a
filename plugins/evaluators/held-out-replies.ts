/**
 * What the conversational evaluators share: a source's held-out conversations (each ending with a
 * user turn and the data's own reply), the subject's replies to them through its decoding policy
 * in batches, and the response rows they export (`meta.reference`, `meta.conversation`).
 */
import { PluginError } from 'attune';
import type { CanonicalExample, DatasetSource, DecodedReply, EvaluationSubject, ItemEnvironment, ItemRef, Message, ResponseRow } from 'attune';

/** The source, with a located error when it has no such split. */
export async function openHeldOutSource(evaluator: string, env: ItemEnvironment, ref: ItemRef<'sources'>, split: string): Promise<DatasetSource> {
  if (!env.create) throw new PluginError(`${evaluator}: needs the kernel to build its source`, 'create it through a config or Kernel.create');
  const source = await env.create(ref);
  if (!source.splits.includes(split)) throw new PluginError(`${evaluator}: ${ref.use} has no split '${split}' (it has ${source.splits.join(', ')})`, 'set split to one of those');
  return source;
}

/** The first `limit` dialogue examples of the split that end with a user turn and the data's reply. */
export async function heldOutCases(evaluator: string, source: DatasetSource, ref: ItemRef<'sources'>, split: string, limit: number): Promise<CanonicalExample[]> {
  const { examples } = await source.load({ split });
  const cases = examples.filter((e) => e.kind === 'dialogue' && e.messages.at(-1)?.role === 'assistant' && e.messages.at(-2)?.role === 'user').slice(0, limit);
  if (cases.length === 0) throw new PluginError(`${evaluator}: ${ref.use} split '${split}' has no conversation ending with a user turn and a reply`, 'pick a dialogue source');
  return cases;
}

/** The subject's replies through its decoding policy, `batchSize` conversations at a time. */
export async function replyInBatches(subject: EvaluationSubject, conversations: readonly Message[][], batchSize: number): Promise<DecodedReply[]> {
  const replies: DecodedReply[] = [];
  for (let start = 0; start < conversations.length; start += batchSize) replies.push(...(await subject.policy.respond(conversations.slice(start, start + batchSize), subject.generator)));
  return replies;
}

/** Replies to each case's conversation (its reply left out), as response rows with the reference. */
export async function answerHeldOut(evaluator: string, subject: EvaluationSubject, cases: readonly CanonicalExample[], batchSize: number, where: { source: string; split: string }): Promise<ResponseRow[]> {
  const conversations = cases.map((e) => e.messages.slice(0, -1).map((m) => ({ ...m })));
  const replies = await replyInBatches(subject, conversations, batchSize);
  return cases.map((e, k) => ({
    prompt_id: e.id,
    prompt: conversations[k]!.at(-1)!.content,
    model: subject.label,
    response: replies[k]!.reply,
    meta: { reference: e.messages.at(-1)!.content, conversation: conversations[k], source: where.source, split: where.split },
    decoding: { evaluator },
    intervention: replies[k]!.intervention ?? null,
  }));
}
