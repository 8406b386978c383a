/**
 * Learning-rate schedules as functions of the 0-based optimizer step.
 *
 * Warmup ramps linearly to the peak over `warmupSteps`, reaching lr·(s+1)/warmup at step s,
 * so the first update already moves the weights (Hugging Face's ramp starts at 0 and wastes
 * it). After warmup, linear and cosine decay from lr to lr·minLrRatio at `totalSteps`, and
 * stay there if training runs longer.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import { z } from 'zod';
import { AttuneError } from '../../base/errors.js';

export type LrSchedule = (step: number) => number;

const common = {
  lr: z.number().positive().finite().describe('peak learning rate'),
  warmupSteps: z.number().int().nonnegative().default(0).describe('optimizer steps of linear warmup'),
};
const decaying = {
  ...common,
  totalSteps: z.number().int().positive().describe('optimizer steps over which the lr decays (warmup included)'),
  minLrRatio: z.number().min(0).max(1).default(0).describe('final lr as a fraction of the peak'),
};

export const lrScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), ...common }).strict(),
  z.object({ kind: z.literal('linear'), ...decaying }).strict(),
  z.object({ kind: z.literal('cosine'), ...decaying }).strict(),
]);
export type LrScheduleConfig = z.input<typeof lrScheduleSchema>;

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new AttuneError(`Learning-rate schedule: step must be an integer >= 0, got ${step}.`);
}

export function createLrSchedule(config: LrScheduleConfig): LrSchedule {
  const parsed = lrScheduleSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(schedule)'}: ${describeZodIssue(issue)}`);
    throw new AttuneError(`Invalid learning-rate schedule: ${issues.join('; ')}.`);
  }
  const c = parsed.data;
  const warmup = (step: number): number => (step < c.warmupSteps ? (step + 1) / c.warmupSteps : 1);
  if (c.kind === 'constant') {
    return (step) => {
      checkStep(step);
      return c.lr * warmup(step);
    };
  }
  if (c.warmupSteps > c.totalSteps) {
    throw new AttuneError(`Invalid learning-rate schedule: warmupSteps (${c.warmupSteps}) exceeds totalSteps (${c.totalSteps}).`);
  }
  const decaySteps = Math.max(1, c.totalSteps - c.warmupSteps);
  const shape = c.kind === 'linear' ? (progress: number) => 1 - progress : (progress: number) => 0.5 * (1 + Math.cos(Math.PI * progress));
  return (step) => {
    checkStep(step);
    if (step < c.warmupSteps) return c.lr * warmup(step);
    const progress = Math.min(1, (step - c.warmupSteps) / decaySteps);
    return c.lr * (c.minLrRatio + (1 - c.minLrRatio) * shape(progress));
  };
}

/**
 * Multiplies a schedule by a per-step factor, e.g. the current curriculum phase's LR
 * multiplier: `withLrMultiplier(schedule, (s) => curriculum.phaseAt(s).lrMultiplier)`.
 */
export function withLrMultiplier(schedule: LrSchedule, multiplier: (step: number) => number): LrSchedule {
  return (step) => {
    const factor = multiplier(step);
    if (!Number.isFinite(factor) || factor < 0) {
      throw new AttuneError(`Learning-rate multiplier at step ${step} is ${factor}; expected a finite number >= 0.`);
    }
    return schedule(step) * factor;
  };
}
