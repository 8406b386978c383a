/**
 * Rollouts through OpenAI-compatible servers (a vLLM fleet on GPUs, or `attune serve`): before
 * each generation round the current adapter, saved in PEFT layout, is loaded under a fresh name
 * on every server with vLLM's /v1/load_lora_adapter (the previous round's is unloaded), then the
 * round's prompts are spread over the servers, each prompt one request for its G completions
 * with `return_token_ids` and `logprobs` (vLLM's and OpenAI's fields). The servers must render
 * the prompt as the learner does: the returned prompt ids are compared, and any difference stops
 * the run naming the server.
 */
import { AttuneError } from '../../base/errors.js';
import type { Message } from '../../data/example.js';

export interface ServerRolloutOptions {
  /** Base URLs, e.g. http://127.0.0.1:8000 (with or without /v1). */
  readonly servers: readonly string[];
  /** Adapters are loaded as `<adapterName>-<round>`. */
  readonly adapterName: string;
  /** Per HTTP request. */
  readonly timeoutS: number;
  readonly apiKey?: string | undefined;
}

export interface ServerRolloutRequest {
  readonly messages: readonly Message[];
  /** The prompt as the learner tokenized it (chat template applied): the server's must be the same. */
  readonly promptIds: readonly number[];
  readonly n: number;
  readonly seed: number;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
}

export interface ServerCompletion {
  readonly text: string;
  /** New tokens without the end token. */
  readonly tokens: number[];
  readonly endToken?: number;
  /** log p of each of `tokens`, then of `endToken`, under the distribution each was drawn from. */
  readonly logProbs: number[];
}

interface ChoiceBody {
  message?: { content?: string };
  finish_reason?: string;
  token_ids?: number[];
  logprobs?: { content?: { logprob: number }[] } | null;
}

function base(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export class ServerRollouts {
  private loaded: string | null = null;
  private next = 0;

  constructor(
    private readonly options: ServerRolloutOptions,
    /** The policy's end tokens: a completion whose last id is one of them ended there. */
    private readonly endTokenIds: ReadonlySet<number>,
  ) {
    if (options.servers.length === 0) throw new AttuneError('rollouts through servers: no server given', 'list at least one base URL under generation.servers');
  }

  private async call(server: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
    const url = `${base(server)}${path}`;
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutS * 1000),
      });
      return { status: r.status, text: await r.text() };
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutS} s` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
      throw new AttuneError(`rollout server ${url}: ${why}`, 'check that the server is up and reachable (attune serve, or vLLM with --enable-lora), or raise generation.timeoutS');
    }
  }

  private static message(text: string): string {
    try {
      return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      return text;
    }
  }

  /** Loads the adapter folder on every server under this round's name; returns the model id to ask for. */
  async pushAdapter(round: number, adapterDir: string): Promise<string> {
    const name = `${this.options.adapterName}-${round}`;
    await Promise.all(
      this.options.servers.map(async (server) => {
        const r = await this.call(server, '/v1/load_lora_adapter', { lora_name: name, lora_path: adapterDir });
        if (r.status !== 200) {
          throw new AttuneError(
            `rollout server ${base(server)} refused the adapter ${adapterDir} as '${name}' (HTTP ${r.status}): ${ServerRollouts.message(r.text)}`,
            'the server must serve the same base model as the learner, read the learner\'s run folder, and allow runtime LoRA loading (vLLM: --enable-lora, VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)',
          );
        }
      }),
    );
    const previous = this.loaded;
    this.loaded = name;
    if (previous) await this.unload(previous);
    return name;
  }

  private async unload(name: string): Promise<void> {
    // A server that lost it (restarted) is not an error: the name is gone either way.
    await Promise.all(this.options.servers.map((server) => this.call(server, '/v1/unload_lora_adapter', { lora_name: name }).catch(() => undefined)));
  }

  /** Each request's n completions, from the servers in turn, all requests in flight at once. */
  async generate(model: string, requests: readonly ServerRolloutRequest[]): Promise<ServerCompletion[][]> {
    return Promise.all(
      requests.map(async (q) => {
        const server = this.options.servers[this.next++ % this.options.servers.length]!;
        const r = await this.call(server, '/v1/chat/completions', {
          model,
          messages: q.messages,
          n: q.n,
          seed: q.seed,
          max_tokens: q.maxTokens,
          temperature: q.temperature,
          top_p: q.topP,
          top_k: q.topK === 0 ? -1 : q.topK,
          repetition_penalty: 1,
          logprobs: true,
          return_token_ids: true,
          policy: 'none',
        });
        if (r.status !== 200) throw new AttuneError(`rollout server ${base(server)}: chat completion failed (HTTP ${r.status}): ${ServerRollouts.message(r.text)}`, 'see the server log');
        const body = JSON.parse(r.text) as { prompt_token_ids?: number[]; choices: ChoiceBody[] };
        if (body.prompt_token_ids && body.prompt_token_ids.join() !== q.promptIds.join()) {
          throw new AttuneError(
            `rollout server ${base(server)} tokenized the prompt into ${body.prompt_token_ids.length} ids, the learner into ${q.promptIds.length} (first difference at ${body.prompt_token_ids.findIndex((id, i) => id !== q.promptIds[i])})`,
            'the server must use the same tokenizer and chat template as the learner\'s model folder',
          );
        }
        return body.choices.map((c, k) => this.completion(server, c, k));
      }),
    );
  }

  private completion(server: string, c: ChoiceBody, k: number): ServerCompletion {
    const ids = c.token_ids;
    const lps = c.logprobs?.content?.map((x) => x.logprob);
    if (!ids || !lps || lps.length !== ids.length) {
      throw new AttuneError(`rollout server ${base(server)}: choice ${k} has no token_ids and matching logprobs`, 'the server must support return_token_ids and logprobs (attune serve; vLLM ≥ 0.10)');
    }
    const last = ids.at(-1);
    const ended = c.finish_reason === 'stop' && last !== undefined && this.endTokenIds.has(last);
    return {
      text: c.message?.content ?? '',
      tokens: ended ? ids.slice(0, -1) : [...ids],
      ...(ended ? { endToken: last } : {}),
      logProbs: lps,
    };
  }

  /** Unloads the last round's adapter. */
  async close(): Promise<void> {
    if (this.loaded) await this.unload(this.loaded);
    this.loaded = null;
  }
}
