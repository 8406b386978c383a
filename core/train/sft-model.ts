/**
 * The trainable model of an SFT stage: the training and evaluation programs, their sessions per
 * (batch, seq) bucket, and the trainable parameters — the LoRA adapter (PEFT init, `LoraState`)
 * and the heads — as typed arrays fed to every run. One training graph and one evaluation graph
 * (no dropout, no backward).
 */
import type { Feed, RunOutput, SessionOptions } from '../engine/index.js';
import { SessionCache } from '../engine/index.js';
import type { Parameter } from '../engine/optim/parameter.js';
import type { ModelFolder } from '../model/folder/open-model-folder.js';
import type { DropoutInput } from '../model/decoder/index.js';
import { initLora } from '../model/lora/index.js';
import type { LoraConfig, LoraState } from '../model/lora/index.js';
import { initialValues } from './init.js';
import type { ExampleInput, LabelField, SftObjective } from './objective.js';
import { buildSftGraph, outputNames } from './sft-graph.js';
import type { SftGraph } from './sft-graph.js';
import type { CollatedBatch } from './collate.js';
import { stepNormalizers, unitCount } from './step-weights.js';
import { AttuneError } from '../base/errors.js';
import { feedNames } from './sft-graph.js';

export interface MicroBatchResult {
  /** Unweighted mean loss per term over this micro-batch, and `loss` (the graph's scalar, Σ λ·sum·norm). */
  readonly losses: Record<string, number>;
  /**
   * Σ and count per term, to pool a step's micro-batches exactly in logs; a term without
   * sum/count reports its loss with count 1 (it is averaged over micro-batches).
   */
  readonly pooled: Record<string, { sum: number; count: number }>;
  readonly gradients: Record<string, Float32Array>;
}

export class SftModel {
  readonly train: SftGraph;
  readonly eval: SftGraph;
  readonly lora: LoraState;
  readonly heads: readonly Parameter[];
  /** LoRA factors then heads: what the optimizer steps and every run is fed. */
  readonly parameters: readonly Parameter[];
  private readonly sessions = new SessionCache();

  constructor(
    readonly folder: ModelFolder,
    lora: LoraConfig,
    objectives: readonly SftObjective[],
    seed: number,
    private readonly sessionOptions: SessionOptions = {},
  ) {
    const common = { model: folder, lora, objectives };
    this.train = buildSftGraph({ ...common, training: true });
    this.eval = buildSftGraph({ ...common, training: false });
    this.lora = initLora(lora, folder.config, seed);
    this.heads = this.train.heads.map((spec) => ({ name: spec.name, shape: spec.shape, data: initialValues(spec.name, spec.shape, spec.init, seed) }));
    this.parameters = [...this.lora.parameters, ...this.heads];
  }

  get labelFields(): readonly LabelField[] {
    return this.train.labelFields;
  }

  get inputFields(): readonly ExampleInput[] {
    return this.train.inputFields;
  }

  get dropoutInputs(): readonly DropoutInput[] {
    return this.train.dropoutInputs;
  }

  get termNames(): string[] {
    return this.train.terms.map((t) => t.name);
  }

  private parameterFeeds(): Record<string, Float32Array> {
    return Object.fromEntries(this.parameters.map((p) => [p.name, p.data]));
  }

  private options(batch: CollatedBatch): SessionOptions {
    return { ...this.sessionOptions, staticDims: { batch: batch.batch, seq: batch.seq } };
  }

  /**
   * Forward and backward of one micro-batch. `norms` (from `stepNormalizers` over the whole
   * step) make the gradients this micro-batch's share of the step's exact per-term means, to be
   * added as they are; without them the batch is normalized by its own counts (a step of one).
   */
  async trainStep(batch: CollatedBatch, dropout: Record<string, Feed>, norms: Readonly<Record<string, number>> = stepNormalizers(this.train.terms, [batch])): Promise<MicroBatchResult> {
    const session = await this.sessions.get(this.train.program, this.options(batch));
    const normFeeds: Record<string, Feed> = {};
    for (const t of this.train.terms) {
      const norm = norms[t.name];
      if (norm === undefined || !Number.isFinite(norm) || norm < 0) {
        throw new AttuneError(`SftModel.trainStep: normalizer of term '${t.name}' is ${norm}; expected a finite number >= 0.`, 'Pass stepNormalizers(model.train.terms, <the step\'s batches>).');
      }
      normFeeds[feedNames.norm(t.name)] = new Float32Array([norm]);
    }
    const out = await session.run({ ...batch.feeds, ...dropout, ...normFeeds, ...this.parameterFeeds() }, { dims: { batch: batch.batch, seq: batch.seq } });
    const losses: Record<string, number> = { loss: scalar(out, outputNames.total) };
    const pooled: Record<string, { sum: number; count: number }> = {};
    for (const t of this.train.terms) {
      losses[t.name] = scalar(out, outputNames.term(t.name));
      if (!t.pooled) {
        pooled[t.name] = { sum: losses[t.name] as number, count: 1 };
        continue;
      }
      const count = scalar(out, outputNames.count(t.name));
      const expected = unitCount(t.unit, batch);
      // The normalizer was computed from this count before the run: a mismatch would silently mis-weight the term.
      if (count !== expected) {
        throw new AttuneError(
          `Objective '${t.name}' counted ${count} in a micro-batch holding ${expected} ${t.unit === 'targetTokens' ? 'target tokens' : `examples labelled '${typeof t.unit === 'object' ? t.unit.label : t.unit}'`}.`,
          'Its count must be in the countUnit it declares.',
        );
      }
      pooled[t.name] = { sum: scalar(out, outputNames.sum(t.name)), count };
    }
    const gradients: Record<string, Float32Array> = {};
    for (const p of this.parameters) gradients[p.name] = (out[p.name] as RunOutput).data as Float32Array;
    return { losses, pooled, gradients };
  }

  async evalStep(batch: CollatedBatch): Promise<Record<string, RunOutput>> {
    const session = await this.sessions.get(this.eval.program, this.options(batch));
    return session.run({ ...batch.feeds, ...this.parameterFeeds() }, { dims: { batch: batch.batch, seq: batch.seq } });
  }

  async release(): Promise<void> {
    await this.sessions.releaseAll();
  }
}

export function scalar(out: Record<string, RunOutput>, name: string): number {
  const t = out[name];
  if (!t) throw new Error(`SFT: the session returned no output '${name}'`);
  return Number(t.data[0]);
}
