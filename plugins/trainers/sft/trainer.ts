/**
 * The `sft` trainer: mixture or curriculum sampling, micro-batches with gradient accumulation,
 * AdamW with clipping and a schedule, periodic evaluation, checkpoints with exact resume, and a
 * clean stop naming the step and the loss term when a value turns NaN/Inf.
 */
import { join } from 'node:path';
import { AttuneError, seedWords, Xoshiro128 } from 'attune';
import type { RngState, RunContext, Trainer, TrainerResult } from 'attune';
import type { CanonicalExample } from 'attune/data';
import { AdamW, clipGradNorm, createLrSchedule, globalGradNorm, GradientAccumulator, NonFiniteError } from 'attune/engine';
import { loraDropoutFeeds } from 'attune/model';
import type { LoraConfig, ModelFolder } from 'attune/model';
import { accumulateStep, bucketLength, checkpointFiles, collate, createStageSampler, evaluateItems, ItemCache, loadCheckpoint, saveCheckpoint, saveTrainables, SftModel, usableForSft } from 'attune/train';
import type { SamplingPlan, SftObjective, SourceSplit, StageSampler, TrainerState, TrainItem } from 'attune/train';
import type { SftTrainerOptions } from './config.js';

export interface SftStageInput {
  /** Stage name in events, metrics and checkpoint directories. */
  readonly stage: string;
  readonly model: ModelFolder;
  /** What the adapter config records as its base model. */
  readonly modelName: string;
  readonly lora: LoraConfig;
  /** Terms with a non-zero weight only. */
  readonly objectives: readonly SftObjective[];
  readonly train: readonly SourceSplit[];
  readonly eval: readonly SourceSplit[];
}

const DROPOUT_STREAM = 0xd80f;

export class SftTrainer implements Trainer<SftStageInput> {
  readonly kind = 'sft';

  constructor(
    readonly options: SftTrainerOptions,
    /** The sampling option resolved (a curriculum file read and validated). */
    readonly sampling: SamplingPlan,
  ) {}

  async train(input: SftStageInput, run: RunContext): Promise<TrainerResult> {
    const o = this.options;
    const { stage } = input;
    const model = new SftModel(input.model, input.lora, input.objectives, run.seed, o.intraOpThreads ? { intraOpThreads: o.intraOpThreads } : {});
    try {
      return await this.loop(input, run, model);
    } catch (error) {
      if (error instanceof NonFiniteError) run.warn(`${stage}: stopped: ${error.message}`);
      throw error;
    } finally {
      await model.release();
    }
  }

  private async loop(input: SftStageInput, run: RunContext, model: SftModel): Promise<TrainerResult> {
    const o = this.options;
    const { stage } = input;
    const tokenizer = input.model.tokenizer;
    const padId = tokenizer.pad?.id ?? tokenizer.eos?.id ?? 0;
    const items = new ItemCache(tokenizer, o.maxLength, model.labelFields);
    const train = input.train.map((s) => ({ name: s.name, examples: s.examples.filter(usableForSft) }));
    for (const s of train) {
      if (s.examples.length === 0) throw new AttuneError(`SFT: source '${s.name}' has no dialogue or classify examples in its train split.`, 'Drop it from data.sources or point it at data with conversations.');
    }
    const byName = new Map(train.map((s) => [s.name, s.examples]));
    const examplesPerStep = o.microBatchSize * o.gradientAccumulation;
    const sampler: StageSampler = createStageSampler(this.sampling, Object.fromEntries(train.map((s) => [s.name, s.examples.length])), run.seed, examplesPerStep);
    const rng = Xoshiro128.fromWords([...seedWords(run.seed), DROPOUT_STREAM]);
    const optimizer = new AdamW(model.parameters, {
      beta1: o.betas[0],
      beta2: o.betas[1],
      eps: o.eps,
      weightDecay: o.weightDecay,
      groups: [{ name: 'heads', match: /^heads\./, lrScale: o.headLrScale }],
    });
    const schedule =
      o.schedule === 'constant'
        ? createLrSchedule({ kind: 'constant', lr: o.lr, warmupSteps: o.warmupSteps })
        : createLrSchedule({ kind: o.schedule, lr: o.lr, warmupSteps: o.warmupSteps, totalSteps: o.steps, minLrRatio: o.minLrRatio });
    const terms = input.objectives.map((t) => ({ name: t.name, weight: t.weight }));

    let step = 0;
    const latest = run.resumed ? run.checkpoints.latest() : undefined;
    if (latest && latest.stage === stage) {
      const state = await loadCheckpoint(latest.path, model, optimizer, input.model.config);
      const saved = state.terms.map((t) => `${t.name}=${t.weight}`).join(', ');
      const now = terms.map((t) => `${t.name}=${t.weight}`).join(', ');
      if (saved !== now) throw new AttuneError(`Checkpoint ${latest.path} was trained with terms [${saved}], this run has [${now}].`, 'Resume with the config the run started with.');
      sampler.restore(state.sampler, join(latest.path, checkpointFiles.state));
      rng.restore(state.rng as RngState);
      step = state.step;
      await run.rewindMetrics(stage, step);
      run.log(`${stage}: resumed from ${latest.path} at step ${step}`);
    }

    const evalItems = this.evalItems(input.eval, items);
    const evalShape = { batch: o.microBatchSize, bucket: o.bucket, maxLength: o.maxLength, padId, config: input.model.config };
    const evaluate = async (): Promise<Record<string, number>> => {
      const metrics = await evaluateItems(model, evalItems, evalShape);
      run.events.emit('eval', { stage, step, split: o.evalSplit, metrics });
      return metrics;
    };
    const checkpoint = async (): Promise<void> => {
      const state: TrainerState = { version: 1, step, sampler: sampler.state(), rng: rng.state(), terms };
      const info = await run.checkpoints.save(stage, step, (dir) => saveCheckpoint(dir, model, optimizer, state, input.modelName));
      run.events.emit('checkpoint', { stage, step, path: info.path });
    };
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

    run.events.emit('stage:start', { stage, index: 0, count: 1, totalSteps: o.steps, startStep: step });
    // The graph is fed each term's step-level normalizer, so micro-batch gradients just add (see stepNormalizers).
    const accumulator = new GradientAccumulator(model.parameters, { scaleBy: 'none' });
    const labelNames = model.labelFields.map((f) => f.name);
    let last: Record<string, number> = {};
    let lastEval: Record<string, number> | undefined;
    let checkpointedAt = step;
    while (step < o.steps && !run.signal.aborted) {
      const started = performance.now();
      // Collated up front so each term's step count is known before any micro-batch runs (draw order unchanged).
      const batches = Array.from({ length: o.gradientAccumulation }, () => {
        const chunk = Array.from({ length: o.microBatchSize }, draw);
        const longest = Math.max(...chunk.map((i) => i.inputIds.length));
        return collate(chunk, { batch: o.microBatchSize, seq: bucketLength(longest, o.bucket, o.maxLength), padId }, input.model.config, labelNames);
      });
      const tokens = batches.reduce((n, b) => n + b.tokens, 0);
      const targetTokens = batches.reduce((n, b) => n + b.targetTokens, 0);
      // Dropout masks are drawn micro-batch by micro-batch, in order (the exact-resume stream).
      const { gradients: grads, terms: means, objective } = await accumulateStep(model, batches, accumulator, { step: step + 1, dropout: (batch) => loraDropoutFeeds(model.dropoutInputs, batch, rng) });
      const gradNorm = o.maxGradNorm !== null ? clipGradNorm(grads, o.maxGradNorm, { step: step + 1 }) : globalGradNorm(grads);
      const lr = schedule(step) * sampler.lrMultiplier(step);
      optimizer.step(grads, lr);
      step += 1;
      const seconds = (performance.now() - started) / 1000;
      // Logged terms are their step-level means (Σ sums / step count), as the gradients are;
      // `objective` is the graph's scalar summed over the micro-batches, the same value in float.
      last = {};
      let total = 0;
      for (const t of terms) {
        const value = means[t.name] as number;
        last[`loss_${t.name}`] = value;
        total += t.weight * value;
      }
      last = { loss: total, ...last, objective };
      run.events.emit('step', {
        stage,
        step,
        totalSteps: o.steps,
        metrics: { ...last, lr, grad_norm: gradNorm, tokens_per_s: tokens / seconds, step_time_s: seconds, target_tokens: targetTokens },
        tokens,
        samples: examplesPerStep,
      });
      if (o.evalEvery > 0 && step % o.evalEvery === 0) lastEval = await evaluate();
      if (o.checkpointEvery > 0 && step % o.checkpointEvery === 0) {
        await checkpoint();
        checkpointedAt = step;
      }
    }
    if (items.dropped > 0) run.warn(`${stage}: ${items.dropped} examples did not fit maxLength ${o.maxLength} and were skipped`);
    if (items.unsplittable > 0) run.warn(`${stage}: ${items.unsplittable} examples could not be tokenized into prompt + reply and were skipped (first: ${items.firstUnsplittable})`);
    if (step < o.steps) {
      if (checkpointedAt !== step) await checkpoint();
      return { steps: step, metrics: last, interrupted: true };
    }
    if (!lastEval || o.evalEvery === 0 || step % o.evalEvery !== 0) lastEval = await evaluate();
    const artifactsDir = join(run.runDir, 'final');
    await saveTrainables(artifactsDir, model, input.modelName);
    await run.writeArtifact(
      'final/heads.json',
      `${JSON.stringify(
        {
          heads: model.labelFields.map((f) => ({ label: f.name, classes: f.classes, weight: `heads.${input.objectives.find((t) => t.labelFields?.some((l) => l.name === f.name))?.name ?? f.name}.weight` })),
          pooling: 'final hidden state of the last prompt token',
        },
        null,
        2,
      )}\n`,
    );
    const evalMetrics = Object.fromEntries(Object.entries(lastEval).map(([k, v]) => [`eval_${k}`, v]));
    return { steps: step, metrics: { ...last, ...evalMetrics }, artifactsDir, interrupted: false };
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
