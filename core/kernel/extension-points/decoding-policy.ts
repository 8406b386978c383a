/**
 * Extension point: DecodingPolicy — turns a conversation into the reply shown to a user,
 * by one or more calls to a text generator (sampling, XML reasoning, a safety controller
 * that can override a reply, two-step reflection).
 */
import type { Message } from './example.js';

export interface GenerationParams {
  maxNewTokens: number;
  /** 0: greedy. Absent: the model's generation_config. */
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  stop?: string[];
  seed?: number;
}

/** Why a row stopped: the model's end token, a stop string, or `maxNewTokens`. */
export type FinishReason = 'eos' | 'stop' | 'length';

/** One generated reply with what RL, serving and evaluation need besides its text. */
export interface GenerationResult {
  /** The reply, cut before a stop string; special tokens skipped. */
  text: string;
  /** Sampled token ids (without the end token; with a stop string, up to the token completing it). */
  tokenIds: number[];
  /**
   * log p(token) of each sampled token under the distribution it was drawn from: the model's
   * softmax at temperature 1 when greedy, else after temperature, top-k and top-p (the policy
   * that produced it); aligned with `tokenIds`.
   */
  logProbs: number[];
  finishReason: FinishReason;
  /** The stop string that ended the row, when `finishReason` is `stop`. */
  stop?: string;
  /** Prompt length in tokens (after the chat template). */
  promptTokens: number;
}

export interface GenerationRequest {
  /** Shared by every row unless `perRow` overrides it. */
  params: GenerationParams;
  /** Per-row settings over `params` (e.g. a different temperature or seed per row). */
  perRow?: (Partial<GenerationParams> | undefined)[];
  /** Stops every row at the next token; rows finished so far keep finishReason as is, the rest `length`. */
  signal?: AbortSignal;
  /** Text as it becomes showable, per row (index into the call's conversations). */
  onText?: (row: number, text: string) => void;
}

/** A classification head's reading of a conversation: the most likely class and every class's probability. */
export interface HeadReading {
  readonly label: string;
  readonly probability: number;
  readonly probabilities: Readonly<Record<string, number>>;
}

/** What a policy may call: one model (with or without adapter), already loaded. */
export interface TextGenerator {
  generate(conversations: Message[][], request: GenerationRequest): Promise<GenerationResult[]>;
  /**
   * The labels of classification heads trained with the adapter (an SFT run's `emotion`,
   * `strategy`); absent or empty when it has none.
   */
  readonly headLabels?: readonly string[];
  /** Each conversation read by every head, keyed by the head's label (the conversation as it would be prompted). */
  readHeads?(conversations: Message[][]): Promise<Record<string, HeadReading>[]>;
}

export interface DecodedReply {
  /** What the user sees. */
  reply: string;
  /** Every model call the policy made, in order, for logs and evaluation. */
  trace: { purpose: string; prompt: Message[]; output: string }[];
  /** Set when the policy replaced or changed the model's reply (e.g. a crisis override). */
  intervention?: { kind: string; reason: string };
}

/** What a policy's parser made of one generated text (rollout trainers score and count it). */
export interface ParsedReply {
  /** The part a user sees and content rewards score; null when the expected structure is absent. */
  answer: string | null;
  /** How the text matched the policy's format (`ok`, or the fallback taken), counted in logs. */
  status: string;
}

export interface DecodingPolicy {
  respond(conversations: Message[][], generator: TextGenerator): Promise<DecodedReply[]>;
  /**
   * The conversation the model is actually given (e.g. with the policy's system instructions).
   * Rollout trainers sample from exactly this, so training and serving prompt the same way.
   */
  prompt?(conversation: readonly Message[]): Message[];
  /** Extracts the answer from one generated text (rollout trainers fill RewardCompletion.answer with it). */
  parse?(text: string): ParsedReply;
  /** Releases what the policy opened (a classifier, a wrapped policy); called once, when it is no longer used. */
  dispose?(): Promise<void> | void;
}
