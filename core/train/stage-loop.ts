/**
 * The stage loop every trainer shares. A trainer supplies a `StageWork` — its parameters, how one
 * optimizer step's gradients are computed, how it evaluates, and the state it needs to resume
 * exactly — and the loop does the rest: AdamW with parameter groups, the learning-rate schedule,
 * gradient clipping, the NaN/Inf stop (naming step and tensor), evaluation and checkpoint
 * cadence, exact resume from the newest checkpoint of this stage, Ctrl-C (checkpoint, return
 * interrupted), the final artifacts, and the stage and step events.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AttuneError } from '../base/errors.js';
import { writeJsonAtomic } from '../base/atomic-write.js';
import { AdamW, checkFinite, clipGradNorm, createLrSchedule, globalGradNorm, GradientAccumulator, NonFiniteError } from '../engine/optim/index.js';
import type { GradientMap, Parameter, ParamGroupRule } from '../engine/optim/index.js';
import type { RunContext } from '../kernel/runs/run-context.js';
import type { TrainerResult } from '../kernel/extension-points/trainer.js';
import type { StageLoopOptions } from './stage-options.js';
import { readTensorFile, writeTensorFile } from './tensor-files.js';
import { requireCheckpointFile } from './checkpoint.js';

/** What one optimizer step produced: the summed gradients and what to log. */
export interface StepResult {
  readonly gradients: GradientMap;
  /** Logged as they are (losses, per-term values …); `lr` and `grad_norm` are added by the loop. */
  readonly metrics: Record<string, number>;
  /** Tokens and examples this step consumed, for throughput. */
  readonly tokens?: number;
  readonly samples?: number;
}

export interface StepContext {
  /** The 1-based step being computed (NaN/Inf errors name it). */
  readonly step: number;
  /** Reset by the loop before each step; add micro-batch gradients to it and return `finish()`. */
  readonly accumulator: GradientAccumulator;
}

export interface StageWork {
  /** Trainable parameters in a fixed order: what the optimizer steps and checkpoints hold. */
  readonly parameters: readonly Parameter[];
  /** Optimizer parameter groups (e.g. a larger lr for fresh heads); first match wins. */
  readonly groups?: readonly ParamGroupRule[];
  /** How the accumulator combines micro-batches: `none` when the trainer normalizes itself. */
  readonly accumulation?: 'none' | 'microBatches';
  runStep(context: StepContext): Promise<StepResult>;
  /** Held-out metrics (called at the eval cadence and at the end). */
  evaluate?(step: number): Promise<Record<string, number>>;
  /** A multiplier on the scheduled lr (a curriculum phase's own lr). */
  lrMultiplier?(step: number): number;
  /** JSON-serializable state that makes a resumed run continue identically (sampler, RNG …). */
  state(): unknown;
  /** Restore what `state` returned; `file` is named in errors. */
  restore(state: unknown, file: string): void;
  /** Write the trainable weights into a checkpoint directory, and read them back. */
  saveWeights(dir: string): Promise<void>;
  loadWeights(dir: string): Promise<void>;
  /** Write the stage's final artifacts (adapter, heads …) into `dir`. */
  saveFinal(dir: string): Promise<void>;
  /** Called once when the loop ends (completed or interrupted): warnings about skipped data … */
  finish?(): void;
}

export const stageCheckpointFiles = { optimizer: 'optimizer.safetensors', state: 'trainer_state.json' } as const;

interface StageState {
  readonly version: 2;
  readonly stage: string;
  /** Optimizer steps completed. */
  readonly step: number;
  readonly trainer: unknown;
}

export interface StageRequest {
  readonly stage: string;
  readonly options: StageLoopOptions;
  readonly work: StageWork;
  /** Split named in eval events (e.g. `validation`). */
  readonly evalSplit?: string;
  /** Where the final artifacts go, relative to the run directory; default `final` (`<stage>/final` for later stages). */
  readonly finalDir?: string;
}

export async function runStage(run: RunContext, request: StageRequest): Promise<TrainerResult> {
  const { stage, options: o, work } = request;
  const optimizer = new AdamW(work.parameters, { beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, groups: [...(work.groups ?? [])] });
  const schedule =
    o.schedule === 'constant'
      ? createLrSchedule({ kind: 'constant', lr: o.lr, warmupSteps: o.warmupSteps })
      : createLrSchedule({ kind: o.schedule, lr: o.lr, warmupSteps: o.warmupSteps, totalSteps: o.steps, minLrRatio: o.minLrRatio });

  let step = 0;
  if (run.resumed) {
    const { checkpoint: latest, notes } = await run.checkpoints.resumePoint();
    for (const note of notes) run.events.emit('warning', { message: `${stage}: ${note}`, origin: 'checkpoints' });
    if (latest && latest.stage === stage) {
      step = await loadStageCheckpoint(latest.path, stage, work, optimizer);
      run.log(`${stage}: resumed from ${latest.path} at step ${step}`);
    } else if (!latest) {
      run.events.emit('warning', { message: `${stage}: the run has no checkpoint to resume from; ${stage} starts again from step 0 (its earlier step rows are dropped from metrics.jsonl)`, origin: 'checkpoints' });
    }
    // Rows the interrupted run logged after that checkpoint (or any, when it had none) are redone.
    await run.rewindMetrics(stage, step);
  }

  const handle = run.stage(stage);
  handle.start({ totalSteps: o.steps, startStep: step });
  const evaluate = async (): Promise<Record<string, number>> => {
    const metrics = work.evaluate ? await work.evaluate(step) : {};
    if (work.evaluate) run.events.emit('eval', { stage, step, split: request.evalSplit ?? 'validation', metrics });
    return metrics;
  };
  const checkpoint = async (): Promise<void> => {
    const state: StageState = { version: 2, stage, step, trainer: work.state() };
    const info = await run.checkpoints.save(stage, step, async (dir) => {
      await work.saveWeights(dir);
      await writeTensorFile(join(dir, stageCheckpointFiles.optimizer), optimizer.exportState());
      await writeJsonAtomic(join(dir, stageCheckpointFiles.state), state);
    });
    run.events.emit('checkpoint', { stage, step, path: info.path });
  };

  const accumulator = new GradientAccumulator(work.parameters, { scaleBy: work.accumulation ?? 'none' });
  let last: Record<string, number> = {};
  let lastEval: Record<string, number> | undefined;
  let checkpointedAt = step;
  try {
    while (step < o.steps && !run.signal.aborted) {
      const started = performance.now();
      accumulator.reset();
      const result = await work.runStep({ step: step + 1, accumulator });
      checkFinite(step + 1, { gradients: result.gradients });
      const gradNorm = o.maxGradNorm !== null ? clipGradNorm(result.gradients, o.maxGradNorm, { step: step + 1 }) : globalGradNorm(result.gradients);
      const lr = schedule(step) * (work.lrMultiplier?.(step) ?? 1);
      optimizer.step(result.gradients, lr);
      step += 1;
      const seconds = (performance.now() - started) / 1000;
      last = result.metrics;
      const throughput: Record<string, number> = result.tokens !== undefined ? { tokens_per_s: result.tokens / seconds } : {};
      run.events.emit('step', {
        stage,
        step,
        totalSteps: o.steps,
        metrics: { ...result.metrics, lr, grad_norm: gradNorm, ...throughput, step_time_s: seconds },
        ...(result.tokens !== undefined ? { tokens: result.tokens } : {}),
        ...(result.samples !== undefined ? { samples: result.samples } : {}),
      });
      if (o.evalEvery > 0 && step % o.evalEvery === 0) lastEval = await evaluate();
      if (o.checkpointEvery > 0 && step % o.checkpointEvery === 0) {
        await checkpoint();
        checkpointedAt = step;
      }
    }
  } catch (error) {
    if (error instanceof NonFiniteError) run.warn(`${stage}: stopped: ${error.message}`);
    throw error;
  } finally {
    work.finish?.();
  }
  if (step < o.steps) {
    if (checkpointedAt !== step) await checkpoint();
    handle.end(last, { interrupted: true });
    return { steps: step, metrics: last, interrupted: true };
  }
  if (!lastEval || o.evalEvery === 0 || step % o.evalEvery !== 0) lastEval = await evaluate();
  const artifactsDir = join(run.runDir, request.finalDir ?? (handle.index === 0 ? 'final' : join(stage, 'final')));
  await mkdir(artifactsDir, { recursive: true });
  await work.saveFinal(artifactsDir);
  const evalMetrics = Object.fromEntries(Object.entries(lastEval).map(([k, v]) => [`eval_${k}`, v]));
  const metrics = { ...last, ...evalMetrics };
  handle.end(metrics, { interrupted: false });
  return { steps: step, metrics, artifactsDir, interrupted: false };
}

/** Validates a checkpoint of this stage and restores weights, optimizer and trainer state; returns its step. */
async function loadStageCheckpoint(dir: string, stage: string, work: StageWork, optimizer: AdamW): Promise<number> {
  const stateFile = requireCheckpointFile(dir, stageCheckpointFiles.state);
  let state: StageState;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as StageState;
  } catch (error) {
    throw new AttuneError(`${stateFile}: not valid JSON (${(error as Error).message}).`, 'The checkpoint is damaged: resume from an earlier one or start a new run.');
  }
  if (state.version !== 2 || !Number.isSafeInteger(state.step) || state.step < 0) {
    throw new AttuneError(`${stateFile}: unsupported or malformed trainer state (version ${String(state.version)}, step ${String(state.step)}).`, 'It was written by another Attune version, or is damaged: start a new run.');
  }
  if (state.stage !== stage) throw new AttuneError(`${stateFile} belongs to stage '${state.stage}', not '${stage}'.`);
  const optimizerState = await readTensorFile(requireCheckpointFile(dir, stageCheckpointFiles.optimizer));
  // Everything is read and checked before anything is written into the live parameters.
  work.restore(state.trainer, stateFile);
  await work.loadWeights(dir);
  optimizer.loadState(optimizerState, join(dir, stageCheckpointFiles.optimizer));
  return state.step;
}
