/**
 * Every event a run emits. Subscribers (progress bar, metrics writer, console summary,
 * plots, user code) listen on the bus; nothing flows back into training except through them.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export interface AttuneEvents {
  'run:start': { recipe: string; runDir: string; seed: number; resumed: boolean };
  'run:end': { status: RunStatus; durationMs: number; error?: string };
  'stage:start': { stage: string; index: number; count: number; totalSteps?: number; startStep?: number };
  'stage:end': { stage: string; metrics?: Record<string, number> };
  /** One optimizer step. `tokens`/`samples` are counts for this step (for throughput). */
  step: {
    stage: string;
    step: number;
    totalSteps?: number;
    metrics: Record<string, number>;
    tokens?: number;
    samples?: number;
  };
  eval: { stage: string; step: number; split: string; metrics: Record<string, number> };
  checkpoint: { stage: string; step: number; path: string };
  rollout: {
    stage: string;
    step: number;
    prompt: string;
    completions: string[];
    rewards: Record<string, number[]>;
  };
  warning: { message: string; origin?: string };
  log: { message: string };
}

export type AttuneEventName = keyof AttuneEvents;
