/**
 * What a recipe (and the trainers it calls) gets from the kernel for one run.
 */
import type { ItemRef } from '../config/item-ref.js';
import type { EventBus } from '../events/event-bus.js';
import type { ExtensionInstances, ExtensionKind } from '../plugins/extension-kinds.js';
import type { CheckpointStore } from './checkpoint-store.js';

/** One of the recipe's declared stages, as the run numbers it; `start`/`end` emit the stage events. */
export interface StageHandle {
  readonly name: string;
  /** 0-based position among the recipe's declared stages. */
  readonly index: number;
  readonly count: number;
  start(info?: { totalSteps?: number; startStep?: number }): void;
  /** `interrupted`: the stage stopped before its last step (a stop signal), so the run is resumable. */
  end(metrics?: Record<string, number>, outcome?: { interrupted: boolean }): void;
}

export interface RunContext {
  readonly recipe: string;
  readonly runDir: string;
  readonly seed: number;
  readonly events: EventBus;
  /**
   * Aborted on the first SIGINT/SIGTERM: stop at the next step boundary, checkpoint, return.
   * Recipes run their next stage anyway (its loop stops at once and ends it interrupted), so the
   * run is marked interrupted rather than completed with stages missing.
   */
  readonly signal: AbortSignal;
  /** True when the run continues an earlier one (`--resume`): trainers load the latest checkpoint. */
  readonly resumed: boolean;
  readonly checkpoints: CheckpointStore;
  /** The stage `name` of the recipe (its index and count come from the recipe's `stages`). */
  stage(name: string): StageHandle;
  /** Build a plugin item from a validated config reference. */
  create<K extends ExtensionKind>(ref: ItemRef<K>): Promise<ExtensionInstances[K]>;
  /** Write a file under the run directory atomically. */
  writeArtifact(relativePath: string, data: string | Uint8Array): Promise<string>;
  /** Drop metric lines of `stage` after `step` (a resumed run replays from its checkpoint). */
  rewindMetrics(stage: string, step: number): Promise<void>;
  log(message: string): void;
  warn(message: string): void;
}
