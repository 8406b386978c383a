/**
 * The trainable reward model of a stage: training and evaluation programs, their sessions per
 * (batch, seq) bucket, and the parameters fed to every run — the LoRA factors (PEFT init) and the
 * score head (normal, std = the config's initializer_range, as transformers initializes it).
 */
import type { Feed, RunOutput, SessionOptions } from '../../engine/index.js';
import { SessionCache } from '../../engine/index.js';
import type { Parameter } from '../../engine/optim/parameter.js';
import type { ModelFolder } from '../../model/folder/open-model-folder.js';
import { initLora } from '../../model/lora/index.js';
import type { LoraConfig, LoraState } from '../../model/lora/index.js';
import type { DropoutInput } from '../../model/decoder/index.js';
import { initialValues } from '../init.js';
import { buildRewardGraph, rewardFeeds, rewardOutputs, SCORE_WEIGHT } from './reward-graph.js';
import type { RewardGraph } from './reward-graph.js';
import type { RewardLoss } from './reward-loss.js';
import type { RewardBatch } from './reward-batches.js';

export interface RewardModelOptions {
  readonly numLabels: number;
  readonly loss: RewardLoss;
  readonly centerCoefficient?: number;
  readonly seed: number;
  readonly initStd?: number;
  readonly session?: SessionOptions;
}

export class RewardModel {
  readonly train: RewardGraph;
  readonly eval: RewardGraph;
  readonly lora: LoraState;
  readonly score: Parameter;
  readonly parameters: readonly Parameter[];
  private readonly sessions = new SessionCache();

  constructor(
    readonly folder: ModelFolder,
    lora: LoraConfig,
    readonly options: RewardModelOptions,
  ) {
    const common = { model: folder, lora, numLabels: options.numLabels, loss: options.loss, centerCoefficient: options.centerCoefficient ?? 0 };
    this.train = buildRewardGraph({ ...common, training: true });
    this.eval = buildRewardGraph({ ...common, training: false });
    this.lora = initLora(lora, folder.config, options.seed);
    const shape = [options.numLabels, folder.config.hiddenSize];
    this.score = { name: SCORE_WEIGHT, shape, data: initialValues(SCORE_WEIGHT, shape, { kind: 'normal', std: options.initStd ?? 0.02 }, options.seed) };
    this.parameters = [...this.lora.parameters, this.score];
  }

  get dropoutInputs(): readonly DropoutInput[] {
    return this.train.dropoutInputs;
  }

  private feeds(batch: RewardBatch): Record<string, Feed> {
    return { ...batch.feeds, ...Object.fromEntries(this.parameters.map((p) => [p.name, p.data])) };
  }

  private session(program: RewardGraph['program'], batch: RewardBatch) {
    return this.sessions.get(program, { ...this.options.session, staticDims: { batch: batch.batch, seq: batch.seq } });
  }

  /** Forward and backward; `norm` = 1/(rows or pairs in the whole optimizer step). */
  async trainStep(batch: RewardBatch, dropout: Record<string, Feed>, norm: number): Promise<{ sum: number; loss: number; gradients: Record<string, Float32Array> }> {
    const session = await this.session(this.train.program, batch);
    const out = await session.run({ ...this.feeds(batch), ...dropout, [rewardFeeds.norm]: new Float32Array([norm]) }, { dims: { batch: batch.batch, seq: batch.seq } });
    const gradients: Record<string, Float32Array> = {};
    for (const p of this.parameters) gradients[p.name] = (out[p.name] as RunOutput).data as Float32Array;
    return { sum: Number(out[rewardOutputs.sum]!.data[0]), loss: Number(out[rewardOutputs.loss]!.data[0]), gradients };
  }

  /** Logits [batch × num_labels], row-major. */
  async logits(batch: RewardBatch): Promise<Float32Array> {
    const program = this.eval.program;
    const session = await this.session(program, batch);
    // The evaluation graph reads no targets or weights.
    const out = await session.run(program.pickFeeds(this.feeds(batch)), { dims: { batch: batch.batch, seq: batch.seq } });
    return out[rewardOutputs.logits]!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.sessions.releaseAll();
  }
}
