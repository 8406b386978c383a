/**
 * The `reward-model` trainer: a decoder + LoRA + `score` head trained on reward rows (scores,
 * classes, relevance, preference pairs) on the shared stage loop. Rows are walked in a fresh
 * seeded order each epoch; each loss is normalized over the whole optimizer step; evaluation
 * reports the task's held-out metrics; the final artifact is the adapter with its head and a
 * complete merged `…ForSequenceClassification` folder that `attune classify` and the reward
 * plugins (and transformers) load.
 */
import { join } from 'node:path';
import { AttuneError, seedWords, Xoshiro128 } from 'attune';
import type { RunContext, Trainer, TrainerResult } from 'attune';
import { EpochWalker } from 'attune/data';
import type { PairRow, PointRow, RewardRows } from 'attune/data';
import type { ClassifierConfig, ClassifierHead, LoraConfig, ModelFolder } from 'attune/model';
import { loraDropoutFeeds, writeSequenceClassifier } from 'attune/model';
import {
  defaultLoss,
  encodePair,
  encodePoint,
  encodeInput,
  heldOutMetrics,
  loadTrainables,
  lossesFor,
  pairBatch,
  pointBatch,
  RewardModel,
  runStage,
  saveTrainables,
} from 'attune/train';
import type { EncodedPair, EncodedPoint, RewardBatch, RewardEncoder, RewardLoss, StageWork } from 'attune/train';
import type { RewardTrainerOptions } from './config.js';

export interface RewardStageInput {
  readonly stage: string;
  readonly model: ModelFolder;
  /** What the adapter config records as its base model. */
  readonly modelName: string;
  readonly lora: LoraConfig;
  readonly train: RewardRows;
  readonly eval: RewardRows | null;
  /** The exported classifier's head; `classifier` is its parsed config (encoding and pooling follow it). */
  readonly head: ClassifierHead;
  readonly classifier: ClassifierConfig;
}

/** Where the merged classifier goes inside the final directory. */
export const CLASSIFIER_DIR = 'classifier';

const WALK_STREAM = 0x5e3d;
const DROPOUT_STREAM = 0xd80f;

interface RewardState {
  readonly walker: { epoch: number; position: number };
  readonly rng: ReturnType<Xoshiro128['state']>;
  readonly task: string;
  readonly loss: string;
  readonly rows: number;
}

export class RewardModelTrainer implements Trainer<RewardStageInput> {
  // Supervised: every row (or pair) carries its target; no rollouts, no reference model.
  readonly kind = 'sft';

  constructor(readonly options: RewardTrainerOptions) {}

  /** The loss in force: the configured one if it fits the task, else the task's own. */
  lossFor(task: RewardRows['task']): RewardLoss {
    const chosen = this.options.loss === 'auto' ? defaultLoss[task] : this.options.loss;
    if (!lossesFor[task].includes(chosen)) {
      throw new AttuneError(`trainer.options.loss: '${chosen}' does not fit ${task} rows.`, `Use one of ${lossesFor[task].join(', ')} (or auto).`);
    }
    return chosen;
  }

  async train(input: RewardStageInput, run: RunContext): Promise<TrainerResult> {
    const o = this.options;
    const loss = this.lossFor(input.train.task);
    if (input.train.rows.length === 0) throw new AttuneError(`reward-model: the train split gave no ${input.train.task} rows.`, 'Check data.sources and the label path (attune data inspect shows what a source yields).');
    if (loss === 'bce' && input.train.task === 'regression' && input.train.rows.some((r) => 'target' in r && (r.target < 0 || r.target > 1))) {
      throw new AttuneError('trainer.options.loss: bce needs targets in [0, 1], and these scores are outside it.', 'Use mse for raw scores.');
    }
    const model = new RewardModel(input.model, input.lora, {
      numLabels: input.head.labels.length,
      loss,
      centerCoefficient: o.centerRewardsCoefficient,
      seed: run.seed,
      session: o.intraOpThreads ? { intraOpThreads: o.intraOpThreads } : {},
    });
    try {
      return await runStage(run, { stage: input.stage, options: o, work: this.work(input, run, model, loss), evalSplit: o.evalSplit });
    } finally {
      await model.release();
    }
  }

  private work(input: RewardStageInput, run: RunContext, model: RewardModel, loss: RewardLoss): StageWork {
    const o = this.options;
    const encoder: RewardEncoder = { config: input.classifier, tokenizer: input.model.tokenizer, maxLength: o.maxLength };
    const shape = { bucket: o.bucket, maxLength: o.maxLength };
    const pairs = input.train.task === 'preference';
    const rows = input.train.rows;
    const encoded = new Map<number, EncodedPoint | EncodedPair>();
    const encodeAt = (i: number): EncodedPoint | EncodedPair => {
      let e = encoded.get(i);
      if (!e) {
        e = pairs ? encodePair(encoder, rows[i] as PairRow) : encodePoint(encoder, rows[i] as PointRow);
        encoded.set(i, e);
      }
      return e;
    };
    const walker = new EpochWalker(rows.length, [...seedWords(run.seed), WALK_STREAM]);
    const rng = Xoshiro128.fromWords([...seedWords(run.seed), DROPOUT_STREAM]);
    const perStep = o.microBatchSize * o.gradientAccumulation;
    let truncated = 0;
    const batchOf = (items: readonly (EncodedPoint | EncodedPair)[]): RewardBatch =>
      pairs ? pairBatch(input.classifier, items as EncodedPair[], o.microBatchSize, shape) : pointBatch(input.classifier, items as EncodedPoint[], o.microBatchSize, loss, shape);
    const identity = { task: input.train.task, loss, rows: rows.length };

    return {
      parameters: model.parameters,
      groups: [{ name: 'score', match: /^score\./, lrScale: o.headLrScale }],
      accumulation: 'none',
      runStep: async ({ accumulator }) => {
        const batches = Array.from({ length: o.gradientAccumulation }, () => batchOf(Array.from({ length: o.microBatchSize }, () => encodeAt(walker.next().index))));
        let sum = 0;
        for (const batch of batches) {
          truncated += batch.truncated;
          const dropout = loraDropoutFeeds(model.dropoutInputs, { batch: batch.batch, seq: batch.seq }, rng);
          const result = await model.trainStep(batch, dropout, 1 / perStep);
          sum += result.sum;
          // Each micro-batch's loss is already its share of the step mean (norm = 1/rows per step).
          accumulator.add(result.gradients);
        }
        return {
          gradients: accumulator.finish(),
          metrics: { loss: sum / perStep, [`loss_${loss.replace('-', '_')}`]: sum / perStep },
          tokens: batches.reduce((n, b) => n + b.tokens, 0),
          samples: perStep,
        };
      },
      ...(input.eval && input.eval.rows.length > 0 ? { evaluate: () => this.evaluate(model, input.eval as RewardRows, encoder, loss, shape, run.seed) } : {}),
      state: (): RewardState => ({ walker: walker.state(), rng: rng.state(), ...identity }),
      restore: (value, file) => {
        const state = value as RewardState;
        const saved = `${state.task}/${state.loss}/${state.rows} rows`;
        const now = `${identity.task}/${identity.loss}/${identity.rows} rows`;
        if (saved !== now) throw new AttuneError(`${file}: the checkpoint was trained on ${saved}; this run has ${now}.`, 'Resume with the config and data the run started with.');
        walker.restore(state.walker, file);
        rng.restore(state.rng);
      },
      saveWeights: (dir) => saveTrainables(dir, { lora: model.lora, heads: [model.score] }, input.modelName),
      loadWeights: (dir) => loadTrainables(dir, { lora: model.lora, heads: [model.score] }, input.model.config),
      saveFinal: async (dir) => {
        await saveTrainables(dir, { lora: model.lora, heads: [model.score] }, input.modelName);
        await writeSequenceClassifier(join(dir, CLASSIFIER_DIR), { folder: input.model, lora: model.lora, score: model.score.data, head: input.head });
      },
      finish: () => {
        if (truncated > 0) run.warn(`${input.stage}: ${truncated} training inputs were longer than maxLength ${o.maxLength} and were truncated`);
      },
    };
  }

  /** The held-out metrics through the training graph (no dropout), in micro-batches of single inputs. */
  private evaluate(model: RewardModel, rows: RewardRows, encoder: RewardEncoder, loss: RewardLoss, shape: { bucket: number; maxLength: number }, seed: number): Promise<Record<string, number>> {
    const o = this.options;
    const n = model.options.numLabels;
    return heldOutMetrics(rows, loss, { limit: o.evalExamples, seed }, async (inputs) => {
      const out: number[][] = [];
      for (let i = 0; i < inputs.length; i += o.microBatchSize) {
        const chunk = inputs.slice(i, i + o.microBatchSize).map((input) => ({ id: '', input: encodeInput(encoder, input), target: 0 }));
        const logits = await model.logits(pointBatch(encoder.config, chunk, o.microBatchSize, loss, shape));
        chunk.forEach((_, k) => out.push(Array.from(logits.subarray(k * n, (k + 1) * n))));
      }
      return out;
    });
  }
}
