/**
 * A registry item is plain data (ESLint's plugin-as-data idea): a description, an options
 * schema and a factory. Recipes and configs refer to items as `plugin/item`.
 */
import type { z } from 'zod';
import type { ItemRef } from './config/item-ref.js';
import type { TrainingKind } from './extension-points/training-kind.js';
import type { ExtensionInstances, ExtensionKind } from './plugins/extension-kinds.js';

export interface ItemDefinition<Schema extends z.ZodType = z.ZodType, Instance = unknown> {
  /** One line for `attune list` and `attune describe`. */
  description: string;
  /**
   * Objectives and trainers: the training they belong to. Declared on the definition (not only
   * on the instance) so a config pairing an objective with a trainer of another kind is refused
   * while the config is validated, at the objective's key.
   */
  kind?: TrainingKind;
  /** Options accepted by `create`; defaults live here, so configs may omit them. */
  options: Schema;
  /** Build the item from validated options. */
  create(options: z.output<Schema>, env: ItemEnvironment): Instance | Promise<Instance>;
}

/** What a factory may use besides its options. */
export interface ItemEnvironment {
  /** Directory relative paths in options are resolved against (the config file's). */
  baseDir: string;
  /** Emit a warning through the run's event bus (or stderr outside a run). */
  warn(message: string): void;
  /**
   * Build an item this item's options reference (an `itemRef(kind)` option) through the same
   * registries, with this environment. Always present when the kernel builds the item
   * (`Kernel.create`, `run.create`); optional only so hand-made environments in tests need not
   * provide it.
   */
  create?<K extends ExtensionKind>(ref: ItemRef<K>): Promise<ExtensionInstances[K]>;
}

/** Helper that keeps the option type flowing from the schema into `create`. */
export function defineItem<Schema extends z.ZodType, Instance>(
  item: ItemDefinition<Schema, Instance>,
): ItemDefinition<Schema, Instance> {
  return item;
}
