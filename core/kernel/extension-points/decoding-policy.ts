/**
 * Extension point: DecodingPolicy — turns a conversation into the reply shown to a user,
 * by one or more calls to a text generator (sampling, XML reasoning, a safety controller
 * that can override a reply, two-step reflection).
 */
import type { Message } from './example.js';

export interface GenerationParams {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  stop?: string[];
  seed?: number;
}

/** What a policy may call: one model (with or without adapter), already loaded. */
export interface TextGenerator {
  generate(conversations: Message[][], params: GenerationParams): Promise<string[]>;
}

export interface DecodedReply {
  /** What the user sees. */
  reply: string;
  /** Every model call the policy made, in order, for logs and evaluation. */
  trace: { purpose: string; prompt: Message[]; output: string }[];
  /** Set when the policy replaced or changed the model's reply (e.g. a crisis override). */
  intervention?: { kind: string; reason: string };
}

export interface DecodingPolicy {
  respond(conversations: Message[][], generator: TextGenerator): Promise<DecodedReply[]>;
}
