/**
 * What `attune describe <recipe>` prints: stages and every config key with its type, default and
 * doc. The command itself is declared in describe-command.ts, which loads this on use.
 */
import type { ItemRef } from '../../kernel/config/item-ref.js';
import { describeSchema } from '../../kernel/recipes/describe-schema.js';
import type { SchemaRow } from '../../kernel/recipes/describe-schema.js';
import { defaultConfigPath, recipeSchema, resolveRecipeConfig } from '../../kernel/recipes/recipe-config.js';
import type { Kernel } from '../../kernel/kernel.js';

function formatRows(rows: SchemaRow[], indent: string): string[] {
  const width = Math.min(36, Math.max(8, ...rows.map((r) => r.key.length)));
  return rows.map((r) => {
    const dflt = 'default' in r ? `default ${JSON.stringify(r.default)}` : r.optional ? 'optional' : 'required';
    return `${indent}${r.key.padEnd(width)}  ${r.type}  [${dflt}]${r.doc ? `  ${r.doc}` : ''}`;
  });
}

/** Item references in the default config, with their paths, so their options can be listed. */
function collectItemRefs(value: unknown, path: string, found: { path: string; ref: ItemRef }[]): void {
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.kind === 'string' && typeof record.use === 'string' && record.options && typeof record.options === 'object') {
    found.push({ path, ref: record as unknown as ItemRef });
    return;
  }
  for (const [key, child] of Object.entries(record)) collectItemRefs(child, path ? `${path}.${key}` : key, found);
}

export function describeRecipe(kernel: Kernel, name: string): string {
  const entry = kernel.registries.recipes.resolve(name);
  const recipe = entry.value;
  const out = [`${entry.ref} — ${recipe.description}`, '', 'Stages:'];
  recipe.stages.forEach((s, i) => out.push(`  ${i + 1}. ${s.name}: ${s.description}`));
  const file = defaultConfigPath(recipe);
  out.push('', `Config keys (default config: ${file}):`);
  out.push(...formatRows(describeSchema(recipeSchema(kernel, recipe)), '  '));
  const refs: { path: string; ref: ItemRef }[] = [];
  collectItemRefs(resolveRecipeConfig(kernel, entry.ref, recipe, { file }), '', refs);
  for (const { path, ref } of refs) {
    const item = kernel.registries.items[ref.kind].resolve(ref.use).value;
    out.push('', `Options of ${ref.use} (at ${path}.options) — ${item.description}:`);
    const rows = describeSchema(item.options);
    out.push(...(rows.length ? formatRows(rows, '  ') : ['  (none)']));
  }
  return out.join('\n');
}
