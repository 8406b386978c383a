/**
 * The policy of a rollout stage: one LoRA adapter shared by the KV-cache generator (which reads
 * the factors' current values at every call, so rollouts always come from the adapter being
 * trained) and the training graph; the π_old program when several iterations reuse a
 * generation batch; the compiled sessions per (batch, seq) bucket.
 */
import type { Feed, RunOutput, SessionOptions } from '../../engine/index.js';
import { SessionCache } from '../../engine/index.js';
import type { Parameter } from '../../engine/optim/parameter.js';
import type { ModelFolder } from '../../model/folder/open-model-folder.js';
import { initLora } from '../../model/lora/index.js';
import type { LoraConfig, LoraState } from '../../model/lora/index.js';
import { generateTokens, InferenceModel } from '../../model/generation/index.js';
import type { GeneratedRow, GenerateOptions } from '../../model/generation/index.js';
import { buildRolloutGraph, rolloutFeeds, rolloutOutputs } from './rollout-graph.js';
import type { RolloutGraph } from './rollout-graph.js';
import type { RolloutObjective } from './rollout-objective.js';
import type { RolloutMicroBatch } from './rollout-rows.js';

export interface RolloutModelOptions {
  readonly objectives: readonly RolloutObjective[];
  readonly temperature: number;
  readonly feedOldLogProbs: boolean;
  readonly seed: number;
  readonly session?: SessionOptions;
}

export interface RolloutStepResult {
  readonly sum: number;
  readonly gradients: Record<string, Float32Array>;
  /** ℓ [batch × seq] of this run (before the update). */
  readonly logProbs: Float32Array;
  readonly refLogProbs?: Float32Array;
  /** The policy's entropy [batch × seq] at each completion token (0 elsewhere). */
  readonly entropy: Float32Array;
}

export class RolloutModel {
  readonly train: RolloutGraph;
  readonly old: RolloutGraph | null;
  readonly lora: LoraState;
  readonly parameters: readonly Parameter[];
  private readonly sessions = new SessionCache();
  private inference: InferenceModel | null = null;

  constructor(
    readonly folder: ModelFolder,
    lora: LoraConfig,
    readonly options: RolloutModelOptions,
  ) {
    const common = { model: folder, lora, objectives: options.objectives, temperature: options.temperature, feedOldLogProbs: options.feedOldLogProbs };
    this.train = buildRolloutGraph({ ...common, training: true });
    this.old = options.feedOldLogProbs ? buildRolloutGraph({ ...common, training: false }) : null;
    this.lora = initLora(lora, folder.config, options.seed);
    this.parameters = this.lora.parameters;
  }

  private parameterFeeds(): Record<string, Float32Array> {
    return Object.fromEntries(this.parameters.map((p) => [p.name, p.data]));
  }

  /** Completions from the current adapter (the LoRA factors' values as they are now). */
  async generate(prompts: readonly (readonly number[])[], options: GenerateOptions): Promise<GeneratedRow[]> {
    this.inference ??= await InferenceModel.open(this.folder, { adapter: this.lora, ...(this.options.session ? { session: this.options.session } : {}) });
    return generateTokens(this.inference, prompts, options);
  }

  async trainStep(batch: RolloutMicroBatch, norm: number): Promise<RolloutStepResult> {
    const session = await this.sessions.get(this.train.program, { ...this.options.session, staticDims: { batch: batch.batch, seq: batch.seq } });
    const out = await session.run({ ...batch.feeds, [rolloutFeeds.norm]: new Float32Array([norm]), ...this.parameterFeeds() }, { dims: { batch: batch.batch, seq: batch.seq } });
    const gradients: Record<string, Float32Array> = {};
    for (const p of this.parameters) gradients[p.name] = (out[p.name] as RunOutput).data as Float32Array;
    const ref = out[rolloutOutputs.refLogProbs];
    return {
      sum: Number(out[rolloutOutputs.sum]!.data[0]),
      gradients,
      logProbs: out[rolloutOutputs.logProbs]!.data as Float32Array,
      entropy: out[rolloutOutputs.entropy]!.data as Float32Array,
      ...(ref ? { refLogProbs: ref.data as Float32Array } : {}),
    };
  }

  /** π_old [batch × seq] of a micro-batch under the current adapter (several iterations per generation batch). */
  async oldLogProbs(batch: RolloutMicroBatch): Promise<Float32Array> {
    if (!this.old) throw new Error('rollout model: built without a π_old program (numIterations is 1)');
    const program = this.old.program;
    const feeds = program.pickFeeds<Feed>({ ...batch.feeds, ...this.parameterFeeds() });
    const session = await this.sessions.get(program, { ...this.options.session, staticDims: { batch: batch.batch, seq: batch.seq } });
    return (await session.run(feeds, { dims: { batch: batch.batch, seq: batch.seq } }))[rolloutOutputs.logProbs]!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.sessions.releaseAll();
    await this.inference?.release();
  }
}
