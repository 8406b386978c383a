/**
 * A recipe: one named pipeline, one file in `recipes/`, reading top to bottom. It declares
 * its config schema (composed with the option schemas of the items it uses), the stages
 * it runs, the config used by default, and `run`.
 */
import type { z } from 'zod';
import type { ItemRefBuilder } from '../config/item-ref.js';
import type { RunContext } from '../runs/run-context.js';

export interface RecipeStage {
  name: string;
  description: string;
}

export interface RecipeResult {
  /** Headline metrics for the console summary and sweep tables. */
  metrics: Record<string, number>;
}

export interface RecipeDefinition<Schema extends z.ZodType = z.ZodType> {
  description: string;
  stages: RecipeStage[];
  /** The config schema; `items.ref(kind)` validates a `use:`/`options:` item reference. */
  config(items: ItemRefBuilder): Schema;
  /** Config used when `--config` is absent (path relative to the package root). */
  defaultConfig: string;
  run(config: z.output<Schema>, run: RunContext): Promise<RecipeResult>;
}

export function defineRecipe<Schema extends z.ZodType>(recipe: RecipeDefinition<Schema>): RecipeDefinition {
  return recipe as unknown as RecipeDefinition;
}
