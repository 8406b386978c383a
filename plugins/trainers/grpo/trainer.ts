/**
 * The `grpo` trainer (kind `rollout`): TRL's GRPOTrainer on the shared stage loop. Each generation
 * batch draws `promptsPerStep` prompts, samples G completions of each from the current adapter
 * (one KV-cache batch), scores them with the reward set, turns rewards into group advantages, and
 * is then used for μ optimizer steps, each one pass over the batch in micro-batches with the loss
 * type's exact normalization. On the first step the graph's log-probs of the sampled tokens must
 * equal the generator's, or the run stops: a silent mismatch ruins GRPO.
 */
import { join } from 'node:path';
import { AttuneError, seedWords, Xoshiro128 } from 'attune';
import type { CanonicalExample, DecodingPolicy, Message, RewardCompletion, RunContext, Trainer, TrainerResult } from 'attune';
import { EpochWalker } from 'attune/data';
import type { LoraConfig, ModelFolder } from 'attune/model';
import {
  completionLogProbs,
  createRewardRunner,
  loadStartAdapter,
  loadTrainables,
  rolloutMicroBatch,
  rolloutNormalizer,
  rolloutRow,
  rolloutRowWeights,
  RolloutModel,
  runStage,
  saveTrainables,
  ServerRollouts,
} from 'attune/train';
import type { RewardRunner, RolloutMicroBatch, RolloutObjective, RolloutRow, StageWork } from 'attune/train';
import { logCompletions, rewindCompletions } from './completions-log.js';
import type { CompletionRecord } from './completions-log.js';
import type { GrpoTrainerOptions } from './config.js';
import { addRatios, completionMetrics, emptyRatios, ratioMetrics } from './rollout-metrics.js';

export interface GrpoStageInput {
  readonly stage: string;
  readonly model: ModelFolder;
  readonly modelName: string;
  readonly lora: LoraConfig;
  readonly objectives: readonly RolloutObjective[];
  /** Prompt examples: `messages` is the conversation so far (ending with the user's turn). */
  readonly prompts: readonly CanonicalExample[];
  /** A stage directory whose `adapter/` the policy starts from (a warm-up stage's final), instead of PEFT's fresh init. */
  readonly startFrom?: string;
  /** Final artifacts, relative to the run directory (default: `final`, or `<stage>/final` after the first stage). */
  readonly finalDir?: string;
}

/** A sampled completion, from this process or from a server. */
interface Sampled {
  readonly text: string;
  readonly tokens: number[];
  readonly endToken?: number;
  /** log softmax(logits / T) of each token, then of the end token (what the graph must reproduce). */
  readonly scoredLogProbs?: number[];
}

const WALK_STREAM = 0x6e70;
const ROLLOUT_STREAM = 0x5a11;

/** One generation batch, kept (and checkpointed) until its μ iterations are done. */
interface Generation {
  readonly rows: RolloutRow[];
  iteration: number;
  /** Metrics of the rollout itself (rewards, lengths, timings), logged with each of its steps. */
  readonly metrics: Record<string, number>;
  /** The generator's log softmax(logits / T) per completion token: the first step checks the graph against it. */
  generatorLogProbs?: number[][];
}

interface GrpoState {
  readonly walker: { epoch: number; position: number };
  readonly generations: number;
  readonly pending: Generation | null;
  readonly identity: string;
  /** Optimizer steps done when the state was taken (the completions log is rewound to it). */
  readonly step: number;
}

export class GrpoTrainer implements Trainer<GrpoStageInput> {
  readonly kind = 'rollout';

  constructor(readonly options: GrpoTrainerOptions) {}

  async train(input: GrpoStageInput, run: RunContext): Promise<TrainerResult> {
    const o = this.options;
    if (input.objectives.length === 0) throw new AttuneError('grpo: no objective with a non-zero weight.', 'Add objectives/grpo.');
    const lossTypes = new Set(input.objectives.map((x) => x.lossType));
    if (lossTypes.size > 1) throw new AttuneError(`grpo: the objectives ask for different loss types (${[...lossTypes].join(', ')}).`, 'One normalization per stage: give every rollout objective the same lossType.');
    const policy = o.decoding ? await run.create(o.decoding) : null;
    const runner = await createRewardRunner(o, (ref) => run.create(ref));
    const model = new RolloutModel(input.model, input.lora, {
      objectives: input.objectives,
      temperature: o.temperature,
      feedOldLogProbs: o.numIterations > 1,
      seed: run.seed,
      ...(o.intraOpThreads ? { session: { intraOpThreads: o.intraOpThreads } } : {}),
    });
    const g = o.generation;
    const remote = g.backend === 'openai' ? new ServerRollouts({ servers: g.servers, adapterName: g.adapterName, timeoutS: g.timeoutS, apiKey: g.apiKey }, new Set(input.model.stopTokenIds)) : null;
    if (remote && (o.topP < 1 || o.topK > 0)) {
      run.warn(`${input.stage}: with top-p/top-k the servers' log-probs are of the filtered distribution, so the graph cannot be checked against them; only the local backend checks then`);
    }
    try {
      // A checkpoint of this stage, when resuming, overwrites these values.
      if (input.startFrom) await loadStartAdapter(input.startFrom, model.lora, input.model.config);
      return await runStage(run, { stage: input.stage, options: o, work: this.work(input, run, model, runner, policy, remote), evalSplit: 'rollouts', ...(input.finalDir ? { finalDir: input.finalDir } : {}) });
    } finally {
      await remote?.close();
      await model.release();
      await runner.dispose();
    }
  }

  private work(input: GrpoStageInput, run: RunContext, model: RolloutModel, runner: RewardRunner, policy: DecodingPolicy | null, remote: ServerRollouts | null): StageWork {
    const o = this.options;
    const tokenizer = input.model.tokenizer;
    const lossType = input.objectives[0]!.lossType;
    // TRL's defaults (ε 0.2) when no term clips: the metrics then count against the usual range.
    const eps = input.objectives.find((x) => x.clip)?.clip ?? { low: 0.2, high: 0.2 };
    const usesReference = model.train.usesReference;
    const padId = tokenizer.pad?.id ?? tokenizer.eos?.id ?? 0;
    /** A prompt as the policy gives it to the model, and its token ids; null when too long. Made once per prompt. */
    const rendered = new Map<number, { messages: Message[]; ids: number[] } | null>();
    let tooLong = 0;
    const promptOf = (i: number): { messages: Message[]; ids: number[] } | null => {
      if (!rendered.has(i)) {
        const e = input.prompts[i]!;
        const messages = policy?.prompt ? policy.prompt(e.messages) : e.messages.map((m) => ({ ...m }));
        const ids = tokenizer.encodeChat(messages, { addGenerationPrompt: true });
        rendered.set(i, ids.length <= o.maxPromptLength ? { messages, ids } : null);
        if (ids.length > o.maxPromptLength) tooLong++;
      }
      return rendered.get(i) ?? null;
    };
    if (input.prompts.length === 0) throw new AttuneError('grpo: no prompts.', 'The recipe found no prompt examples in the train split of its sources.');
    const walker = new EpochWalker(input.prompts.length, [...seedWords(run.seed), WALK_STREAM]);
    let generations = 0;
    let pending: Generation | null = null;
    let checked = false;
    // Servers are checked every round (that they sample from this round's adapter), when their log-probs are comparable.
    const checkEveryRound = remote !== null && o.topP === 1 && o.topK === 0;
    if (remote && !checkEveryRound) checked = true;
    let stepsDone = 0;
    const identity = `${input.prompts.length} prompts, G ${o.numGenerations}, μ ${o.numIterations}, ${lossType}`;

    const drawPrompts = (): number[] => {
      const picked: number[] = [];
      for (let tries = 0; picked.length < o.promptsPerStep; tries++) {
        if (tries > 10_000) throw new AttuneError(`grpo: 10000 draws in a row gave no prompt within maxPromptLength ${o.maxPromptLength}.`, 'Raise trainer.options.maxPromptLength.');
        const i = walker.next().index;
        if (promptOf(i)) picked.push(i);
      }
      return picked;
    };

    const generate = async (step: number): Promise<Generation> => {
      const t0 = performance.now();
      const picked = drawPrompts();
      const G = o.numGenerations;
      const rowsOf = picked.flatMap((i) => Array.from({ length: G }, () => i));
      const rendering = rowsOf.map((i) => promptOf(i)!);
      const prompts = rendering.map((r) => r.ids);
      // The rollout seed depends on the run seed and the generation's index alone, so a resumed run samples the same.
      const seed = Xoshiro128.fromWords([...seedWords(run.seed), ROLLOUT_STREAM, generations]).nextUint32();
      const results: Sampled[] = remote
        ? await this.sampleOnServers(remote, input, run, model, generations, { picked, rendering, seed })
        : await model.generate(prompts, {
            maxNewTokens: o.maxCompletionLength,
            sampling: { doSample: true, temperature: o.temperature, topK: o.topK, topP: o.topP, repetitionPenalty: 1 },
            seed,
            scoreTemperature: o.temperature,
          });
      const t1 = performance.now();
      const parsed = results.map((r) => (policy?.parse ? policy.parse(r.text) : null));
      const completions: RewardCompletion[] = results.map((r, k) => ({ text: r.text, tokenIds: r.tokens, ...(parsed[k] ? { answer: parsed[k]!.answer } : {}) }));
      const examples = rowsOf.map((i) => input.prompts[i]!);
      const groups = rowsOf.map((_, k) => Math.floor(k / G));
      const scored = await runner.score({ prompts: rendering.map((r) => r.messages), completions, examples, groups, state: { stage: input.stage, step: step - 1, totalSteps: o.steps } });
      const t2 = performance.now();
      const rows = results.map((r, k) => rolloutRow(prompts[k]!, r.tokens, r.endToken, scored.advantages[k]!, o.maskTruncatedCompletions));
      if (o.numIterations > 1) {
        for (const batch of this.microBatches(rows, padId, lossType)) {
          const grid = await model.oldLogProbs(batch);
          completionLogProbs(batch, rows, grid).forEach((lp, b) => (rows[batch.rows[b]!]!.oldLogProbs = lp));
        }
      }
      const statuses: Record<string, number> = {};
      for (const p of parsed) if (p) statuses[`format/${p.status}`] = (statuses[`format/${p.status}`] ?? 0) + 1 / parsed.length;
      const newTokens = results.reduce((n, r) => n + r.tokens.length + (r.endToken === undefined ? 0 : 1), 0);
      const metrics = {
        ...scored.metrics,
        ...completionMetrics({ lengths: rows.map((r) => r.completion.length), terminated: results.map((r) => r.endToken !== undefined) }),
        ...statuses,
        'time/generate_s': (t1 - t0) / 1000,
        'time/score_s': (t2 - t1) / 1000,
        generate_tokens_per_s: newTokens / ((t1 - t0) / 1000),
      };
      if (o.logCompletionsEvery > 0 && (step - 1) % o.logCompletionsEvery === 0) {
        const records: CompletionRecord[] = results.map((r, k) => ({
          step,
          group: groups[k]!,
          prompt: rendering[k]!.messages.filter((m) => m.role !== 'system').at(-1)?.content ?? '',
          completion: r.text,
          answer: parsed[k] ? parsed[k]!.answer : r.text,
          status: parsed[k]?.status ?? 'plain',
          rewards: Object.fromEntries(Object.entries(scored.scores).map(([name, s]) => [name, s[k] ?? null])),
          reward: scored.combined[k]!,
          advantage: scored.advantages[k]!,
        }));
        await logCompletions(run.runDir, records);
      }
      const generation: Generation = { rows, iteration: 0, metrics, ...(checked && !checkEveryRound ? {} : { generatorLogProbs: results.map((r) => r.scoredLogProbs ?? []) }) };
      generations++;
      return generation;
    };

    return {
      parameters: model.parameters,
      accumulation: 'none',
      runStep: async ({ step, accumulator }) => {
        if (!pending || pending.iteration >= o.numIterations) pending = await generate(step);
        const generation = pending;
        const t0 = performance.now();
        const batches = this.microBatches(generation.rows, padId, lossType);
        const activeTokens = generation.rows.reduce((n, r) => n + r.activeTokens, 0);
        const ratios = emptyRatios();
        const check: Record<string, number> = {};
        // TRL's `entropy`: the policy's mean entropy over the completion tokens of the step.
        const entropy: number[] = [];
        let sum = 0;
        for (const batch of batches) {
          const counts = { rowTokens: batch.rows.map((i) => generation.rows[i]!.activeTokens) };
          const norm = rolloutNormalizer(lossType, counts, { microBatches: batches.length, activeTokens, maxCompletionLength: o.maxCompletionLength });
          const result = await model.trainStep(batch, norm);
          sum += result.sum * norm;
          accumulator.add(result.gradients);
          const lp = completionLogProbs(batch, generation.rows, result.logProbs);
          for (const row of completionLogProbs(batch, generation.rows, result.entropy)) for (const h of row) entropy.push(h);
          const ref = result.refLogProbs ? completionLogProbs(batch, generation.rows, result.refLogProbs) : undefined;
          lp.forEach((l, b) => addRatios(ratios, generation.rows[batch.rows[b]!]!, l, eps, ref?.[b]));
          if (generation.generatorLogProbs) check.logprob_check_max_abs_diff = Math.max(check.logprob_check_max_abs_diff ?? 0, this.checkLogProbs(batch, generation, lp));
        }
        if (generation.generatorLogProbs) {
          delete generation.generatorLogProbs;
          checked = true;
        }
        generation.iteration++;
        stepsDone = step;
        return {
          gradients: accumulator.finish(),
          metrics: {
            loss: sum,
            ...generation.metrics,
            ...check,
            ...ratioMetrics(ratios, usesReference),
            ...(entropy.length ? { entropy: entropy.reduce((a, b) => a + b, 0) / entropy.length } : {}),
            'time/update_s': (performance.now() - t0) / 1000,
            num_tokens: activeTokens,
          },
          tokens: activeTokens,
          samples: generation.rows.length,
        };
      },
      state: (): GrpoState => ({ walker: walker.state(), generations, pending, identity, step: stepsDone }),
      restore: (value, file) => {
        const state = value as GrpoState;
        if (state.identity !== identity) throw new AttuneError(`${file}: the checkpoint was trained with ${state.identity}; this run has ${identity}.`, 'Resume with the config and data the run started with.');
        walker.restore(state.walker, file);
        generations = state.generations;
        pending = state.pending;
        checked = true;
        stepsDone = state.step;
        rewindCompletions(run.runDir, state.step);
      },
      saveWeights: (dir) => saveTrainables(dir, { lora: model.lora, heads: [] }, input.modelName),
      loadWeights: (dir) => loadTrainables(dir, { lora: model.lora, heads: [] }, input.model.config),
      saveFinal: (dir) => saveTrainables(dir, { lora: model.lora, heads: [] }, input.modelName),
      finish: () => {
        if (tooLong > 0) run.warn(`${input.stage}: ${tooLong} prompts were longer than maxPromptLength ${o.maxPromptLength} and were skipped`);
      },
    };
  }

  /**
   * One round on the servers: the adapter as it is now, saved in PEFT layout under the run folder
   * and loaded on every server; then each prompt's G completions from one server, with a seed per
   * prompt derived from the round's.
   */
  private async sampleOnServers(
    remote: ServerRollouts,
    input: GrpoStageInput,
    run: RunContext,
    model: RolloutModel,
    round: number,
    batch: { picked: readonly number[]; rendering: readonly { messages: Message[]; ids: number[] }[]; seed: number },
  ): Promise<Sampled[]> {
    const o = this.options;
    const G = o.numGenerations;
    const dir = join(run.runDir, 'rollout-adapter');
    await saveTrainables(dir, { lora: model.lora, heads: [] }, input.modelName);
    const name = await remote.pushAdapter(round, join(dir, 'adapter'));
    const requests = batch.picked.map((_, j) => {
      const r = batch.rendering[j * G]!;
      return { messages: r.messages, promptIds: r.ids, n: G, seed: (batch.seed + j * G) >>> 0, maxTokens: o.maxCompletionLength, temperature: o.temperature, topP: o.topP, topK: o.topK };
    });
    return (await remote.generate(name, requests)).flat().map((c) => ({ text: c.text, tokens: c.tokens, ...(c.endToken !== undefined ? { endToken: c.endToken } : {}), scoredLogProbs: c.logProbs }));
  }

  /** The graph's ℓ of the sampled tokens must be the generator's (same weights, same temperature). */
  private checkLogProbs(batch: RolloutMicroBatch, generation: Generation, graph: readonly number[][]): number {
    let worst = { diff: 0, row: -1, token: -1, graph: 0, generator: 0 };
    batch.rows.forEach((i, b) => {
      const row = generation.rows[i]!;
      if (row.activeTokens === 0) return;
      const expected = generation.generatorLogProbs![i]!;
      graph[b]!.forEach((l, j) => {
        const diff = Math.abs(l - (expected[j] as number));
        if (diff > worst.diff) worst = { diff, row: i, token: j, graph: l, generator: expected[j] as number };
      });
    });
    if (worst.diff > this.options.logProbTolerance) {
      throw new AttuneError(
        `grpo: the training graph's log-prob of sampled token ${worst.token} of completion ${worst.row} is ${worst.graph.toFixed(6)}, the generator's ${worst.generator.toFixed(6)} (|Δ| ${worst.diff.toExponential(2)} > ${this.options.logProbTolerance}).`,
        'The policy being trained is not the one that sampled: check the temperature, the chat template and the adapter; a real bug otherwise — please report it.',
      );
    }
    return worst.diff;
  }

  private microBatches(rows: readonly RolloutRow[], padId: number, lossType: RolloutObjective['lossType']): RolloutMicroBatch[] {
    const o = this.options;
    const out: RolloutMicroBatch[] = [];
    for (let start = 0; start < rows.length; start += o.microBatchSize) {
      const indices = Array.from({ length: Math.min(o.microBatchSize, rows.length - start) }, (_, k) => start + k);
      const rowWeights = rolloutRowWeights(lossType, { rowTokens: indices.map((i) => rows[i]!.activeTokens) });
      out.push(rolloutMicroBatch(rows, indices, o.microBatchSize, { padId, bucket: o.bucket, maxLength: o.maxPromptLength + o.maxCompletionLength + 1, rowWeights, withOld: o.numIterations > 1 }));
    }
    return out;
  }
}
