/** One registry per extension point, plus recipes: the single source of truth for names. */
import type { z } from 'zod';
import type { ItemDefinition } from '../item.js';
import type { RecipeDefinition } from '../recipes/recipe.js';
import { extensionKinds } from './extension-kinds.js';
import type { ExtensionInstances, ExtensionKind } from './extension-kinds.js';
import { Registry } from './registry.js';

export type ItemRegistries = { [K in ExtensionKind]: Registry<ItemDefinition<z.ZodType, ExtensionInstances[K]>> };

export interface Registries {
  items: ItemRegistries;
  recipes: Registry<RecipeDefinition>;
}

export function createRegistries(): Registries {
  const items = Object.fromEntries(
    (Object.entries(extensionKinds) as [ExtensionKind, string][]).map(([kind, label]) => [kind, new Registry(label)]),
  ) as unknown as ItemRegistries;
  return { items, recipes: new Registry<RecipeDefinition>('recipe') };
}
