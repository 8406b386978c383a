/**
 * The public plugin API. A plugin is a plain module whose default export is
 * `definePlugin({ name, version, requires?, register(ctx) })`. In `register` it adds named
 * items to the typed registries of `ctx`; each becomes `plugin/item` for recipes and configs.
 * Built-in plugins use exactly this API.
 */
import type { ItemDefinition } from '../item.js';
import type { RecipeDefinition } from '../recipes/recipe.js';
import type { ExtensionInstances, ExtensionKind } from './extension-kinds.js';
import type { z } from 'zod';

export interface ItemRegistrar<K extends ExtensionKind> {
  /** Register `name` as `<plugin>/<name>`. */
  register<Schema extends z.ZodType>(name: string, item: ItemDefinition<Schema, ExtensionInstances[K]>): void;
}

export type PluginContext = { readonly [K in ExtensionKind]: ItemRegistrar<K> } & {
  /** The plugin being registered (its items are scoped under this name). */
  readonly plugin: string;
  /** Recipes are registered by bare name: users type `attune run <name>`. */
  readonly recipes: { register(name: string, recipe: RecipeDefinition): void };
};

export interface PluginDefinition {
  /** Lowercase, e.g. `sources` or `my-lab`; prefixes every item it registers. */
  name: string;
  /** Semantic version, checked against other plugins' `requires`. */
  version: string;
  /** Plugins this one needs, as semver ranges; `attune` names the kernel itself. */
  requires?: Record<string, string>;
  register(ctx: PluginContext): void | Promise<void>;
}

export function definePlugin(plugin: PluginDefinition): PluginDefinition {
  return plugin;
}
