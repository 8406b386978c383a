/**
 * What a recipe (and the trainers it calls) gets from the kernel for one run.
 */
import type { ItemRef } from '../config/item-ref.js';
import type { EventBus } from '../events/event-bus.js';
import type { ExtensionInstances, ExtensionKind } from '../plugins/extension-kinds.js';
import type { CheckpointStore } from './checkpoint-store.js';

export interface RunContext {
  readonly recipe: string;
  readonly runDir: string;
  readonly seed: number;
  readonly events: EventBus;
  /** Aborted on the first SIGINT/SIGTERM: stop at the next step boundary, checkpoint, return. */
  readonly signal: AbortSignal;
  /** True when the run continues an earlier one (`--resume`): trainers load the latest checkpoint. */
  readonly resumed: boolean;
  readonly checkpoints: CheckpointStore;
  /** Build a plugin item from a validated config reference. */
  create<K extends ExtensionKind>(ref: ItemRef<K>): Promise<ExtensionInstances[K]>;
  /** Write a file under the run directory atomically. */
  writeArtifact(relativePath: string, data: string | Uint8Array): Promise<string>;
  /** Drop metric lines of `stage` after `step` (a resumed run replays from its checkpoint). */
  rewindMetrics(stage: string, step: number): Promise<void>;
  log(message: string): void;
  warn(message: string): void;
}
