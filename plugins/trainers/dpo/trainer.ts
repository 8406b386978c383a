/**
 * The `dpo` trainer (kind `preference`): TRL's DPOTrainer on the shared stage loop. Each step
 * draws microBatchSize × gradientAccumulation pairs (a seeded walk over epochs), scores both
 * sides in one run per micro-batch, and normalizes each term exactly over the step's pairs (or
 * chosen tokens, for the SFT term). The reference is the model as the stage began — the adapter
 * the stage starts from (a fresh adapter has B = 0: the base itself), frozen and saved in
 * `<stage>/reference/` so a resumed run compares against the same model. Its log-probs are
 * scored before each step, or once for all pairs (`precomputeRefLogProbs`, cached on disk).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AttuneError, seedWords } from 'attune';
import type { CanonicalExample, RunContext, Trainer, TrainerResult } from 'attune';
import { EpochWalker } from 'attune/data';
import { initLora } from 'attune/model';
import type { LoraConfig, ModelFolder } from 'attune/model';
import {
  cachedReferenceLogProbs,
  checkpointFiles,
  chunkPairs,
  loadStartAdapter,
  loadTrainables,
  preferencePairBatch,
  PairStats,
  PreferenceModel,
  referenceFor,
  runStage,
  saveTrainables,
  scorePairs,
  tokenizePairs,
} from 'attune/train';
import type { AdapterValues, PairBatchShape, PairLogProbs, PreferenceNorms, PreferenceObjective, PreferencePair, ReferenceLogProbs, StageWork } from 'attune/train';
import type { DpoTrainerOptions } from './config.js';

export interface DpoStageInput {
  readonly stage: string;
  readonly model: ModelFolder;
  readonly modelName: string;
  readonly lora: LoraConfig;
  readonly objectives: readonly PreferenceObjective[];
  /** Preference examples: `messages` is the prompt, `preference` the two replies. */
  readonly train: readonly CanonicalExample[];
  readonly eval: readonly CanonicalExample[];
  /** A stage directory whose `adapter/` the policy (and so the reference) starts from, instead of PEFT's fresh init. */
  readonly startFrom?: string;
  /** Final artifacts, relative to the run directory (default: `final`, or `<stage>/final` after the first stage). */
  readonly finalDir?: string;
}

const WALK_STREAM = 0xd90;

interface DpoState {
  readonly walker: { epoch: number; position: number };
  readonly identity: string;
}

export class DpoTrainer implements Trainer<DpoStageInput> {
  readonly kind = 'preference';

  constructor(readonly options: DpoTrainerOptions) {}

  async train(input: DpoStageInput, run: RunContext): Promise<TrainerResult> {
    const o = this.options;
    if (input.objectives.length === 0) throw new AttuneError(`${input.stage}: no preference objective with a non-zero weight.`, 'Add objectives/dpo.');
    const model = new PreferenceModel(input.model, input.lora, input.objectives, run.seed, o.intraOpThreads ? { intraOpThreads: o.intraOpThreads } : {});
    try {
      // A checkpoint of this stage, when resuming, overwrites these values (the reference does not move).
      if (input.startFrom) await loadStartAdapter(input.startFrom, model.lora, input.model.config);
      const reference = await this.reference(input, run, model);
      const work = await this.work(input, run, model, reference);
      return await runStage(run, { stage: input.stage, options: o, work, evalSplit: 'validation', ...(input.finalDir ? { finalDir: input.finalDir } : {}) });
    } finally {
      await model.release();
    }
  }

  /** The frozen reference adapter: read back from the stage directory, or taken now (the stage is starting) and saved there. */
  private async reference(input: DpoStageInput, run: RunContext, model: PreferenceModel): Promise<AdapterValues> {
    const dir = join(run.runDir, input.stage, 'reference');
    const state = initLora(input.lora, input.model.config, run.seed);
    if (existsSync(join(dir, checkpointFiles.adapterWeights))) {
      await loadTrainables(dir, { lora: state, heads: [] }, input.model.config);
      run.log(`${input.stage}: reference adapter read from ${dir}`);
    } else {
      const start = model.snapshot();
      for (const p of state.parameters) p.data.set(start[p.name]!);
      await saveTrainables(dir, { lora: state, heads: [] }, input.modelName);
    }
    return Object.fromEntries(state.parameters.map((p) => [p.name, p.data]));
  }

  private pairs(input: DpoStageInput, run: RunContext, examples: readonly CanonicalExample[], what: string): PreferencePair[] {
    const result = tokenizePairs(input.model.tokenizer, examples, this.options.maxLength);
    const skipped = result.tooLong + result.unsplittable;
    if (skipped > 0) run.warn(`${input.stage}: ${skipped} of ${examples.length} ${what} pairs skipped (${result.tooLong} whose prompt fills maxLength ${this.options.maxLength}, ${result.unsplittable} the chat template cannot split; first: ${result.firstProblem})`);
    if (result.truncated > 0) run.log(`${input.stage}: ${result.truncated} of ${examples.length} ${what} pairs have a reply cut at maxLength ${this.options.maxLength} tokens`);
    return result.pairs;
  }

  private async work(input: DpoStageInput, run: RunContext, model: PreferenceModel, referenceAdapter: AdapterValues): Promise<StageWork> {
    const o = this.options;
    const config = input.model.config;
    const tokenizer = input.model.tokenizer;
    const shape: PairBatchShape = { bucket: o.bucket, maxLength: o.maxLength, padId: tokenizer.pad?.id ?? tokenizer.eos?.id ?? 0 };
    const train = this.pairs(input, run, input.train, 'train');
    if (train.length === 0) throw new AttuneError(`${input.stage}: no training pairs.`, 'The stage needs preference examples that fit maxLength: check the sources, or raise trainer.options.maxLength.');
    const held = this.pairs(input, run, input.eval.slice(0, o.evalPairs), 'held-out');
    const beta = input.objectives[0]!.beta;
    const score = (pairs: readonly PreferencePair[]): Promise<[number, number][]> => scorePairs(model, pairs, referenceAdapter, { ...shape, pairsPerRun: o.microBatchSize }, config);

    let precomputed: Record<string, PairLogProbs> | null = null;
    if (o.precomputeRefLogProbs) {
      precomputed = await cachedReferenceLogProbs(join(run.runDir, input.stage, 'reference-logps.json'), { train, eval: held }, score, (m) => run.log(`${input.stage}: ${m}`));
    }
    let heldReference: PairLogProbs | undefined = precomputed?.eval;

    const referenceOf = async (indices: readonly number[], pairs: readonly PreferencePair[], cached: PairLogProbs | undefined): Promise<ReferenceLogProbs> => {
      if (cached) return referenceFor(cached, indices);
      const scored = await score(indices.map((i) => pairs[i]!));
      return referenceFor(scored, scored.map((_, k) => k));
    };

    const pairsPerStep = o.microBatchSize * o.gradientAccumulation;
    const walker = new EpochWalker(train.length, [...seedWords(run.seed), WALK_STREAM]);
    const identity = `${train.length} pairs, ${pairsPerStep} per step, terms ${model.terms.map((t) => `${t.name}=${t.weight}`).join(' ')}, β ${beta}`;

    const run1 = async (indices: readonly number[], pairs: readonly PreferencePair[], cached: PairLogProbs | undefined, training: boolean, norms: PreferenceNorms, stats: PairStats) => {
      const batch = preferencePairBatch(indices.map((i) => pairs[i]!), shape, config);
      const reference = await referenceOf(indices, pairs, cached);
      const result = training ? await model.trainStep(batch, reference, norms) : { ...(await model.evalStep(batch, reference, norms)), gradients: undefined };
      stats.addBatch(result.sequenceLogProbs, reference);
      return { result, tokens: batch.tokens };
    };

    const termMetrics = (sums: Record<string, number>, norms: PreferenceNorms): Record<string, number> =>
      Object.fromEntries(model.terms.map((t) => [`loss_${t.name}`, (sums[t.name] ?? 0) * (t.meanOver === 'pairs' ? norms.pairs : norms.chosenTokens)]));

    return {
      parameters: model.parameters,
      // The graph is fed the step-level normalizers, so micro-batch gradients just add.
      accumulation: 'none',
      runStep: async ({ accumulator }) => {
        const indices = Array.from({ length: pairsPerStep }, () => walker.next().index);
        const norms: PreferenceNorms = { pairs: 1 / pairsPerStep, chosenTokens: 1 / Math.max(1, indices.reduce((n, i) => n + train[i]!.chosenTokens, 0)) };
        const stats = new PairStats(beta);
        const sums: Record<string, number> = {};
        let loss = 0;
        let tokens = 0;
        for (const chunk of chunkPairs(indices, o.microBatchSize)) {
          const { result, tokens: n } = await run1(chunk, train, precomputed?.train, true, norms, stats);
          accumulator.add(result.gradients!);
          loss += result.loss;
          tokens += n;
          for (const [name, v] of Object.entries(result.termSums)) sums[name] = (sums[name] ?? 0) + v;
        }
        return { gradients: accumulator.finish(), metrics: { loss, ...termMetrics(sums, norms), ...stats.metrics(), num_tokens: tokens }, tokens, samples: pairsPerStep };
      },
      evaluate: async () => {
        if (held.length === 0) return {};
        heldReference ??= await score(held);
        const all = held.map((_, i) => i);
        const norms: PreferenceNorms = { pairs: 1 / held.length, chosenTokens: 1 / Math.max(1, held.reduce((n, p) => n + p.chosenTokens, 0)) };
        const stats = new PairStats(beta);
        const sums: Record<string, number> = {};
        let loss = 0;
        for (const chunk of chunkPairs(all, o.microBatchSize)) {
          const { result } = await run1(chunk, held, heldReference, false, norms, stats);
          loss += result.loss;
          for (const [name, v] of Object.entries(result.termSums)) sums[name] = (sums[name] ?? 0) + v;
        }
        return { loss, ...termMetrics(sums, norms), ...stats.metrics(), pairs: held.length };
      },
      state: (): DpoState => ({ walker: walker.state(), identity }),
      restore: (value, file) => {
        const state = value as DpoState;
        if (state.identity !== identity) throw new AttuneError(`${file}: the checkpoint was trained with ${state.identity}; this run has ${identity}.`, 'Resume with the config and data the run started with.');
        walker.restore(state.walker, file);
      },
      saveWeights: (dir) => saveTrainables(dir, { lora: model.lora, heads: [] }, input.modelName),
      loadWeights: (dir) => loadTrainables(dir, { lora: model.lora, heads: [] }, input.model.config),
      saveFinal: (dir) => saveTrainables(dir, { lora: model.lora, heads: [] }, input.modelName),
    };
  }
}
