/**
 * Queues chat requests and runs them in batches: waiting requests for the same model are joined
 * into one generation batch — plain generation with per-row settings (each request keeps its own
 * temperature, seed, stop and length), a decoding policy when they share the policy and settings.
 * One batch runs at a time; the queue is bounded, and a full queue refuses instead of growing.
 */
import type { DecodedReply, DecodingPolicy, GenerationParams } from '../kernel/extension-points/decoding-policy.js';
import type { Message } from '../data/example.js';
import { withParamOverrides } from './generator-overrides.js';
import type { ServedModels } from './served-models.js';

export interface ChatJob {
  readonly model: string;
  /** null: plain generation (the chat template and the request's settings), streamed token by token. */
  readonly policy: { readonly key: string; readonly instance: DecodingPolicy } | null;
  readonly params: GenerationParams;
  /** The conversation of one choice (a request with `n` choices submits `n` jobs). */
  readonly conversation: readonly Message[];
  /** Its token ids with the chat template, tokenized once by the caller (it checked the context with them). */
  readonly promptIds: readonly number[];
  /** Plain generation only: text as it becomes showable. */
  readonly onText?: (text: string) => void;
}

export interface ChoiceResult {
  readonly text: string;
  readonly finishReason: 'stop' | 'length';
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly intervention?: DecodedReply['intervention'];
  /** Plain generation: the new token ids, the end token included when the row ended with one. */
  readonly tokenIds?: readonly number[];
  /** Plain generation: log p of each of `tokenIds` under the distribution it was drawn from. */
  readonly logProbs?: readonly number[];
}

interface Pending {
  readonly job: ChatJob;
  readonly resolve: (result: ChoiceResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Rows (choices) per generation batch. */
  readonly maxBatch: number;
  /** Requests waiting at most; more are refused. */
  readonly maxQueue: number;
}

export class QueueFullError extends Error {}

export class Batcher {
  private readonly queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Batches run so far, and rows in them (for /health and the load test). */
  readonly stats = { batches: 0, rows: 0, maxRowsInBatch: 0 };

  constructor(
    private readonly models: ServedModels,
    private readonly options: BatcherOptions,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  submit(job: ChatJob): Promise<ChoiceResult> {
    if (this.queue.length >= this.options.maxQueue) return Promise.reject(new QueueFullError(`the server has ${this.queue.length} requests waiting (limit ${this.options.maxQueue})`));
    const done = new Promise<ChoiceResult>((resolve, reject) => this.queue.push({ job, resolve, reject }));
    this.running ??= this.drain().finally(() => (this.running = null));
    return done;
  }


  private async drain(): Promise<void> {
    // Requests that arrive while a batch runs wait for the next one, where they can be joined.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      try {
        const results = await this.run(group.map((p) => p.job));
        group.forEach((p, k) => p.resolve(results[k]!));
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
  }

  /** The oldest job and the waiting ones that can share its batch, up to maxBatch rows. */
  private takeGroup(): Pending[] {
    const head = this.queue.shift()!;
    const group = [head];
    const key = (j: ChatJob) => (j.policy ? `${j.policy.key}|${JSON.stringify(j.params)}` : null);
    for (let i = 0; i < this.queue.length && group.length < this.options.maxBatch; ) {
      const j = this.queue[i]!.job;
      if (j.model === head.job.model && key(j) === key(head.job)) group.push(this.queue.splice(i, 1)[0]!);
      else i++;
    }
    return group;
  }

  private async run(jobs: readonly ChatJob[]): Promise<ChoiceResult[]> {
    this.stats.batches++;
    this.stats.rows += jobs.length;
    this.stats.maxRowsInBatch = Math.max(this.stats.maxRowsInBatch, jobs.length);
    const head = jobs[0]!;
    const generator = this.models.generatorFor(head.model, jobs.length);
    if (head.policy === null) {
      const results = await generator.generateFromIds(
        jobs.map((j) => j.promptIds),
        { params: head.params, perRow: jobs.map((j) => j.params), onText: (row, text) => jobs[row]!.onText?.(text) },
      );
      return results.map((res) => {
        const ended = res.endToken !== undefined;
        return {
          text: res.text,
          finishReason: res.finishReason === 'length' ? 'length' : 'stop',
          promptTokens: res.promptTokens,
          completionTokens: res.tokens.length + (ended ? 1 : 0),
          tokenIds: ended ? [...res.tokens, res.endToken!] : res.tokens,
          logProbs: ended ? [...res.logProbs, res.endLogProb!] : res.logProbs,
        };
      });
    }
    const replies = await head.policy.instance.respond(
      jobs.map((j) => [...j.conversation]),
      withParamOverrides(generator, head.params),
    );
    const tokenizer = this.models.model.folder.tokenizer;
    return replies.map((reply, i) => ({
      text: reply.reply,
      // A policy's reply is final as the policy made it (it may be a template longer than max_tokens).
      finishReason: 'stop',
      promptTokens: jobs[i]!.promptIds.length,
      completionTokens: tokenizer.encode(reply.reply, { addSpecialTokens: false }).length,
      ...(reply.intervention ? { intervention: reply.intervention } : {}),
    }));
  }
}
