/**
 * The trainable model of a preference stage: one LoRA adapter (PEFT init, or loaded by the
 * trainer from an earlier stage), the training, evaluation and sequence-scoring programs, and
 * their sessions per (rows, seq) bucket. Scoring takes the adapter's values as an argument, so the
 * same program scores the policy (the live factors) and the reference (a frozen copy of the
 * factors as the stage began: with a fresh adapter B = 0, which is exactly the adapter off).
 */
import type { Feed, RunOutput, SessionOptions } from '../../engine/index.js';
import { SessionCache } from '../../engine/index.js';
import type { Parameter } from '../../engine/optim/parameter.js';
import type { Program } from '../../engine/index.js';
import type { ModelFolder } from '../../model/folder/open-model-folder.js';
import { initLora } from '../../model/lora/index.js';
import type { LoraConfig, LoraState } from '../../model/lora/index.js';
import { buildPreferenceGraph, buildSequenceLogProbsGraph, preferenceFeeds, preferenceOutputs } from './preference-graph.js';
import type { PreferenceGraph, TracedTerm } from './preference-graph.js';
import type { PreferenceObjective } from './preference-objective.js';
import type { PairBatch } from './preference-pairs.js';
import type { CollatedBatch } from '../collate.js';

/** log π_ref of each pair's chosen and rejected completion, aligned with a batch's pairs. */
export interface ReferenceLogProbs {
  readonly chosen: Float32Array;
  readonly rejected: Float32Array;
}

export interface PreferenceNorms {
  /** 1 / pairs in the step. */
  readonly pairs: number;
  /** 1 / chosen completion tokens in the step. */
  readonly chosenTokens: number;
}

export interface PreferenceRunResult {
  /** This micro-batch's share of the step's loss. */
  readonly loss: number;
  /** Σ over the micro-batch's pairs of each term's per-pair loss (unweighted). */
  readonly termSums: Record<string, number>;
  /** Σ log π_θ of each row's completion [2P]: chosen rows, then rejected rows. */
  readonly sequenceLogProbs: Float32Array;
  readonly gradients: Record<string, Float32Array>;
}

/** A copy of the adapter's values by parameter name. */
export type AdapterValues = Readonly<Record<string, Float32Array>>;

export class PreferenceModel {
  readonly train: PreferenceGraph;
  readonly eval: PreferenceGraph;
  readonly scoring: Program;
  readonly lora: LoraState;
  readonly parameters: readonly Parameter[];
  private readonly sessions = new SessionCache();

  constructor(
    readonly folder: ModelFolder,
    lora: LoraConfig,
    objectives: readonly PreferenceObjective[],
    seed: number,
    private readonly sessionOptions: SessionOptions = {},
  ) {
    this.train = buildPreferenceGraph({ model: folder, lora, objectives, training: true });
    this.eval = buildPreferenceGraph({ model: folder, lora, objectives, training: false });
    this.scoring = buildSequenceLogProbsGraph(folder, lora);
    this.lora = initLora(lora, folder.config, seed);
    this.parameters = this.lora.parameters;
  }

  get terms(): readonly TracedTerm[] {
    return this.train.terms;
  }

  /** The adapter's current values, copied (the reference of a stage starting now). */
  snapshot(): AdapterValues {
    return Object.fromEntries(this.parameters.map((p) => [p.name, Float32Array.from(p.data)]));
  }

  private live(): AdapterValues {
    return Object.fromEntries(this.parameters.map((p) => [p.name, p.data]));
  }

  private async run(program: Program, batch: CollatedBatch, feeds: Record<string, Feed>): Promise<Record<string, RunOutput>> {
    const session = await this.sessions.get(program, { ...this.sessionOptions, staticDims: { batch: batch.batch, seq: batch.seq } });
    const dims: Record<string, number> = { batch: batch.batch, seq: batch.seq };
    const pairs = feeds[preferenceFeeds.chosenRows] as BigInt64Array | undefined;
    if (pairs) dims.pairs = pairs.length;
    return session.run(program.pickFeeds<Feed>(feeds), { dims });
  }

  private lossFeeds(batch: PairBatch, reference: ReferenceLogProbs, norms: PreferenceNorms): Record<string, Feed> {
    return {
      ...batch.feeds,
      [preferenceFeeds.referenceChosen]: reference.chosen,
      [preferenceFeeds.referenceRejected]: reference.rejected,
      [preferenceFeeds.pairNorm]: new Float32Array([norms.pairs]),
      [preferenceFeeds.chosenTokenNorm]: new Float32Array([norms.chosenTokens]),
      ...this.live(),
    };
  }

  private read(graph: PreferenceGraph, out: Record<string, RunOutput>): Omit<PreferenceRunResult, 'gradients'> {
    return {
      loss: Number(out[preferenceOutputs.loss]!.data[0]),
      termSums: Object.fromEntries(graph.terms.map((t) => [t.name, Number(out[preferenceOutputs.termSum(t.name)]!.data[0])])),
      sequenceLogProbs: out[preferenceOutputs.sequenceLogProbs]!.data as Float32Array,
    };
  }

  async trainStep(batch: PairBatch, reference: ReferenceLogProbs, norms: PreferenceNorms): Promise<PreferenceRunResult> {
    const out = await this.run(this.train.program, batch, this.lossFeeds(batch, reference, norms));
    const gradients: Record<string, Float32Array> = {};
    for (const p of this.parameters) gradients[p.name] = out[p.name]!.data as Float32Array;
    return { ...this.read(this.train, out), gradients };
  }

  async evalStep(batch: PairBatch, reference: ReferenceLogProbs, norms: PreferenceNorms): Promise<Omit<PreferenceRunResult, 'gradients'>> {
    return this.read(this.eval, await this.run(this.eval.program, batch, this.lossFeeds(batch, reference, norms)));
  }

  /** Σ log π of each row's completion under `adapter` (default: the live factors). */
  async sequenceLogProbs(batch: CollatedBatch, adapter: AdapterValues = this.live()): Promise<Float32Array> {
    const out = await this.run(this.scoring, batch, { ...batch.feeds, ...adapter });
    return out[preferenceOutputs.sequenceLogProbs]!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.sessions.releaseAll();
  }
}
