/**
 * What `attune describe <recipe>` prints: stages and every config key with its type, default and
 * doc. The command itself is declared in describe-command.ts, which loads this on use.
 */
import type { ItemRef } from '../../kernel/config/item-ref.js';
import { describeSchema } from '../../kernel/recipes/describe-schema.js';
import type { SchemaRow } from '../../kernel/recipes/describe-schema.js';
import { defaultConfigPath, recipeSchema, resolveRecipeConfig } from '../../kernel/recipes/recipe-config.js';
import type { Kernel } from '../../kernel/kernel.js';
import { valueAt } from '../../kernel/config/value-at.js';


const show = (v: unknown) => {
  // An item reference reads as the item it names (its options are listed beneath).
  const use = (x: unknown) => (x && typeof x === 'object' && typeof (x as { use?: unknown }).use === 'string' ? (x as { use: string }).use : undefined);
  const text = use(v) ?? (Array.isArray(v) && v.length > 0 && v.every((x) => use(x)) ? `[${v.map(use).join(', ')}]` : JSON.stringify(v));
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/**
 * One line per key: its type, then what a run with the default config really uses — the default
 * config's value when it sets one, else the schema's default — and whether the key may be left out.
 */
function formatRows(rows: SchemaRow[], indent: string, config?: unknown): string[] {
  const width = Math.min(36, Math.max(8, ...rows.map((r) => r.key.length)));
  return rows.map((r) => {
    const set = config === undefined ? undefined : valueAt(config, r.key.split('.'));
    const schemaDefault = 'default' in r ? `schema default ${show(r.default)}` : r.optional ? 'optional' : set !== undefined ? 'a config of your own must set it' : 'required';
    const dflt = set !== undefined && / item$/.test(r.type) ? `default config ${show(set)}${'default' in r || r.optional ? '' : '; a config of your own must set it'}` : set !== undefined && (!('default' in r) || JSON.stringify(set) !== JSON.stringify(r.default)) ? `default config ${show(set)}; ${schemaDefault}` : 'default' in r ? `default ${show(r.default)}` : schemaDefault;
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
  const resolved = resolveRecipeConfig(kernel, entry.ref, recipe, { file });
  out.push(...formatRows(describeSchema(recipeSchema(kernel, recipe)), '  ', resolved));
  const refs: { path: string; ref: ItemRef }[] = [];
  collectItemRefs(resolved, '', refs);
  for (const { path, ref } of refs) {
    const item = kernel.registries.items[ref.kind].resolve(ref.use).value;
    out.push('', `Options of ${ref.use} (at ${path}.options) — ${item.description}:`);
    const rows = describeSchema(item.options);
    out.push(...(rows.length ? formatRows(rows, '  ', ref.options) : ['  (none)']));
  }
  return out.join('\n');
}
