/**
 * The `sft` trainer: what is SFT's own on top of the shared stage loop — mixture or curriculum
 * sampling, tokenized items collated into bucketed micro-batches, each term normalized exactly over
 * the whole optimizer step, LoRA dropout masks from a seeded stream, held-out evaluation of the LM
 * loss and the heads, and the adapter with its heads as the final artifact.
 */
import { join } from 'node:path';
import { AttuneError, seedWords, writeFileAtomic, Xoshiro128 } from 'attune';
import type { CanonicalExample, RngState, RunContext, Trainer, TrainerResult } from 'attune';
import type { LoraConfig, ModelFolder } from 'attune/model';
import { loraDropoutFeeds } from 'attune/model';
import { accumulateStep, bucketLength, collate, countsBySource, createStageSampler, evaluateItems, ItemCache, loadStartAdapter, loadTrainables, runStage, saveTrainables, SftModel, usableForSft } from 'attune/train';
import type { SamplingPlan, SftObjective, SourceSplit, StageWork, TrainItem } from 'attune/train';
import type { SftTrainerOptions } from './config.js';

export interface SftStageInput {
  /** Stage name in events, metrics and checkpoint directories (one of the recipe's stages). */
  readonly stage: string;
  readonly model: ModelFolder;
  /** What the adapter config records as its base model. */
  readonly modelName: string;
  readonly lora: LoraConfig;
  /** Terms with a non-zero weight only. */
  readonly objectives: readonly SftObjective[];
  readonly train: readonly SourceSplit[];
  readonly eval: readonly SourceSplit[];
  /** A stage directory whose `adapter/` the LoRA factors start from (an earlier stage's final), instead of PEFT's fresh init; heads start fresh. */
  readonly startFrom?: string;
  /** Final artifacts, relative to the run directory (default: `final`, or `<stage>/final` after the first stage). */
  readonly finalDir?: string;
}

const DROPOUT_STREAM = 0xd80f;

interface SftState {
  readonly sampler: unknown;
  /** The stream LoRA dropout masks are drawn from. */
  readonly rng: RngState;
  /** Terms and weights in force, checked on resume. */
  readonly terms: readonly { readonly name: string; readonly weight: number }[];
}

export class SftTrainer implements Trainer<SftStageInput> {
  readonly kind = 'sft';

  constructor(
    readonly options: SftTrainerOptions,
    /** The sampling option resolved (a curriculum file read and validated). */
    readonly sampling: SamplingPlan,
  ) {}

  async train(input: SftStageInput, run: RunContext): Promise<TrainerResult> {
    const o = this.options;
    const model = new SftModel(input.model, input.lora, input.objectives, run.seed, o.intraOpThreads ? { intraOpThreads: o.intraOpThreads } : {});
    try {
      // A checkpoint of this stage, when resuming, overwrites these values.
      if (input.startFrom) await loadStartAdapter(input.startFrom, model.lora, input.model.config);
      return await runStage(run, { stage: input.stage, options: o, work: this.work(input, run, model), evalSplit: o.evalSplit, ...(input.finalDir ? { finalDir: input.finalDir } : {}) });
    } finally {
      await model.release();
    }
  }

  private work(input: SftStageInput, run: RunContext, model: SftModel): StageWork {
    const o = this.options;
    const { stage } = input;
    const tokenizer = input.model.tokenizer;
    const padId = tokenizer.pad?.id ?? tokenizer.eos?.id ?? 0;
    const items = new ItemCache(tokenizer, o.maxLength, model.labelFields, model.inputFields);
    const train = input.train.map((s) => ({ name: s.name, examples: s.examples.filter(usableForSft) }));
    for (const s of train) {
      if (s.examples.length === 0) throw new AttuneError(`SFT: source '${s.name}' has no dialogue or classify examples in its train split.`, 'Drop it from data.sources or point it at data with conversations.');
    }
    const byName = new Map(train.map((s) => [s.name, s.examples]));
    const examplesPerStep = o.microBatchSize * o.gradientAccumulation;
    const sampler = createStageSampler(this.sampling, Object.fromEntries(train.map((s) => [s.name, s.examples.length])), run.seed, examplesPerStep);
    // A curriculum shorter than the stage repeats its last phase; a longer one never reaches its last phases.
    if (sampler.plannedSteps !== undefined && sampler.plannedSteps !== o.steps) {
      const then = sampler.plannedSteps < o.steps ? 'the last phase continues for the remaining steps' : 'the phases past that step are never reached';
      run.warn(`${stage}: the curriculum lays out ${sampler.plannedSteps} steps of ${examplesPerStep} examples, the trainer runs ${o.steps}; ${then}. Set trainer.options.steps: ${sampler.plannedSteps} to train it exactly.`);
    }
    const rng = Xoshiro128.fromWords([...seedWords(run.seed), DROPOUT_STREAM]);
    const terms = input.objectives.map((t) => ({ name: t.name, weight: t.weight }));
    const labelNames = model.labelFields.map((f) => f.name);
    const evalItems = this.evalItems(input.eval, items);
    const evalShape = { batch: o.microBatchSize, bucket: o.bucket, maxLength: o.maxLength, padId, config: input.model.config };

    const draw = (): TrainItem => {
      // Examples too long for maxLength are skipped; the sampler state still advances deterministically.
      for (let tries = 0; tries < 10_000; tries++) {
        const d = sampler.next();
        const example = (byName.get(d.sourceName) as CanonicalExample[])[d.index] as CanonicalExample;
        const item = items.item(example);
        if (item) return item;
      }
      throw new AttuneError(`SFT: 10000 draws in a row did not fit maxLength ${o.maxLength}.`, 'Raise trainer.options.maxLength.');
    };

    return {
      parameters: model.parameters,
      groups: [{ name: 'heads', match: /^heads\./, lrScale: o.headLrScale }],
      // The graph is fed each term's step-level normalizer, so micro-batch gradients just add (see stepNormalizers).
      accumulation: 'none',
      runStep: async ({ step, accumulator }) => {
        // Collated up front so each term's step count is known before any micro-batch runs (draw order unchanged).
        const batches = Array.from({ length: o.gradientAccumulation }, () => {
          const chunk = Array.from({ length: o.microBatchSize }, draw);
          const longest = Math.max(...chunk.map((i) => i.inputIds.length));
          return collate(chunk, { batch: o.microBatchSize, seq: bucketLength(longest, o.bucket, o.maxLength), padId }, input.model.config, labelNames, model.inputFields);
        });
        // Dropout masks are drawn micro-batch by micro-batch, in order (the exact-resume stream).
        const outcome = await accumulateStep(model, batches, accumulator, { step, dropout: (batch) => loraDropoutFeeds(model.dropoutInputs, batch, rng) });
        // Logged terms are their step-level means (Σ sums / step count), as the gradients are;
        // `objective` is the graph's scalar summed over the micro-batches, the same value in float.
        const perTerm: Record<string, number> = {};
        let total = 0;
        for (const t of terms) {
          const value = outcome.terms[t.name] as number;
          perTerm[`loss_${t.name}`] = value;
          total += t.weight * value;
        }
        return {
          gradients: outcome.gradients,
          metrics: { loss: total, ...perTerm, objective: outcome.objective, target_tokens: batches.reduce((n, b) => n + b.targetTokens, 0) },
          tokens: batches.reduce((n, b) => n + b.tokens, 0),
          samples: examplesPerStep,
        };
      },
      evaluate: () => evaluateItems(model, evalItems, evalShape),
      lrMultiplier: (step) => sampler.lrMultiplier(step),
      state: (): SftState => ({ sampler: sampler.state(), rng: rng.state(), terms }),
      restore: (value, file) => {
        const state = value as SftState;
        const saved = (state.terms ?? []).map((t) => `${t.name}=${t.weight}`).join(', ');
        const now = terms.map((t) => `${t.name}=${t.weight}`).join(', ');
        if (saved !== now) throw new AttuneError(`${file}: the checkpoint was trained with terms [${saved}], this run has [${now}].`, 'Resume with the config the run started with.');
        sampler.restore(state.sampler, file);
        rng.restore(state.rng);
      },
      saveWeights: (dir) => saveTrainables(dir, model, input.modelName),
      loadWeights: (dir) => loadTrainables(dir, model, input.model.config),
      saveFinal: async (dir) => {
        await saveTrainables(dir, model, input.modelName);
        await writeFileAtomic(join(dir, 'heads.json'), `${JSON.stringify(this.headsManifest(input, model), null, 2)}\n`);
      },
      finish: () => {
        if (items.dropped > 0) run.warn(`${stage}: ${items.dropped} examples did not fit maxLength ${o.maxLength} and were skipped (${countsBySource(items.droppedBySource)}); raise trainer.options.maxLength to keep them`);
        if (items.unsplittable > 0) run.warn(`${stage}: ${items.unsplittable} examples could not be tokenized into prompt + reply and were skipped (first: ${items.firstUnsplittable})`);
      },
    };
  }

  private headsManifest(input: SftStageInput, model: SftModel): unknown {
    return {
      heads: model.labelFields.map((f) => ({ label: f.name, classes: f.classes, weight: `heads.${input.objectives.find((t) => t.labelFields?.some((l) => l.name === f.name))?.name ?? f.name}.weight` })),
      pooling: 'final hidden state of the last prompt token',
    };
  }

  private evalItems(splits: readonly SourceSplit[], items: ItemCache): TrainItem[] {
    const out: TrainItem[] = [];
    for (const s of splits) {
      let taken = 0;
      for (const example of s.examples) {
        if (taken >= this.options.evalExamples) break;
        if (!usableForSft(example)) continue;
        const item = items.item(example);
        if (!item) continue;
        out.push(item);
        taken++;
      }
    }
    return out;
  }
}
