/**
 * Builds a recipe's effective config: its schema (with the kernel's `seed`), the data from
 * a file, the recipe's default config or a saved run, `--set` overrides on top, validated
 * with located errors.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../base/errors.js';
import type { Kernel } from '../kernel.js';
import { loadConfig } from '../config/load-config.js';
import { applyOverrides } from '../config/overrides.js';
import type { Override } from '../config/overrides.js';
import { validateConfig } from '../config/validate-config.js';
import { fromPackageRoot } from '../../base/paths.js';
import type { RecipeDefinition } from './recipe.js';
import { checkTrainingKinds } from '../config/training-kinds.js';

export const seedSchema = z.number().int().nonnegative().default(42).describe('seed for sampling, initialization and dropout');

/** The recipe's schema with the kernel-level keys every config has. */
export function recipeSchema(kernel: Kernel, recipe: RecipeDefinition): z.ZodType {
  const schema = recipe.config(kernel.itemRefs());
  if (!(schema instanceof z.ZodObject)) {
    throw new ConfigError('A recipe config schema must be an object schema (z.strictObject({...})).');
  }
  const registries = kernel.registries.items;
  return schema.extend({ seed: seedSchema }).superRefine((value, ctx) => checkTrainingKinds(registries, value, ctx));
}

export function defaultConfigPath(recipe: RecipeDefinition): string {
  return isAbsolute(recipe.defaultConfig) ? recipe.defaultConfig : fromPackageRoot(recipe.defaultConfig);
}

export type ConfigSource = { file?: string; overrides?: Override[] } | { data: Record<string, unknown>; label: string };

export function resolveRecipeConfig(kernel: Kernel, name: string, recipe: RecipeDefinition, source: ConfigSource): Record<string, unknown> {
  const schema = recipeSchema(kernel, recipe);
  if ('data' in source) return validateConfig(schema, source.data, { label: source.label }) as Record<string, unknown>;
  const file = source.file ?? defaultConfigPath(recipe);
  const loaded = loadConfig(file);
  if (loaded.recipe !== undefined && loaded.recipe !== name) {
    throw new ConfigError(`${file} is a config for recipe '${loaded.recipe}', not '${name}'.`, `Run: attune run ${loaded.recipe} --config ${file}`);
  }
  const overrides = source.overrides ?? [];
  const data = applyOverrides(loaded.data, overrides);
  const label = source.file ? file : `${file} (default config of ${name})`;
  return validateConfig(schema, data, { label, locate: loaded.locate, overrides }) as Record<string, unknown>;
}
