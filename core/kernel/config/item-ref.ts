/**
 * Config references to plugin items. In a config an item is written as
 *   `use: sources/ed` with optional `options: { … }`   (or just the string `sources/ed`)
 * and validated against that item's own option schema, so an error inside the options
 * names the full key path (e.g. `data.sources.0.options.badRows`). Recipes get `items.ref(kind)`
 * bound to the kernel's registries; an item's own options use `itemRef(kind)`, which resolves
 * against the registries of whoever is validating (so references nest).
 */
import { z } from 'zod';
import { extensionKindNames, extensionKinds } from '../plugins/extension-kinds.js';
import type { ExtensionInstances, ExtensionKind } from '../plugins/extension-kinds.js';
import type { ItemRegistries } from '../plugins/registries.js';
import { didYouMean } from '../../base/suggest.js';
import { findUnknownKeys } from './unknown-keys.js';

export interface ItemRef<K extends ExtensionKind = ExtensionKind> {
  kind: K;
  /** Full `plugin/item` reference. */
  use: string;
  /** Options after validation, defaults filled in. */
  options: Record<string, unknown>;
  /** Brand for the instance type, so `run.create(ref)` is typed. */
  readonly __instance?: ExtensionInstances[K];
}

export interface ItemRefBuilder {
  ref<K extends ExtensionKind>(kind: K, description?: string): z.ZodType<ItemRef<K>>;
}

/** `kind` is accepted so that a saved effective config (which records it) validates again. */
const refInput = (kind: ExtensionKind) =>
  z.union([
    z.string(),
    z.strictObject({
      use: z.string().describe('the item, as plugin/item'),
      options: z.record(z.string(), z.unknown()).optional().describe("the item's options"),
      kind: z.literal(kind).optional(),
    }),
  ]);

/**
 * The registries that plugin-level `itemRef(kind)` schemas resolve against. Zod validation is
 * synchronous, so whoever validates options that may hold references (a builder's `ref`
 * while it parses an item's options, `Kernel.create` re-parsing them) pushes its registries
 * for the duration of that parse; nested references resolve recursively against the same ones.
 */
// Kept on globalThis so that a plugin resolving its own copy of `attune` shares the stack.
const stackKey = Symbol.for('attune.activeItemRegistries');
const activeRegistries: ItemRegistries[] = ((globalThis as Record<symbol, unknown>)[stackKey] ??= []) as ItemRegistries[];

/** Run `fn` with `registries` as the ones `itemRef(kind)` schemas validate against. */
export function withItemRegistries<T>(registries: ItemRegistries, fn: () => T): T {
  activeRegistries.push(registries);
  try {
    return fn();
  } finally {
    activeRegistries.pop();
  }
}

function findItem(registry: ItemRegistries[ExtensionKind], use: string): boolean {
  return registry.has(use) || (!use.includes('/') && registry.list().filter((e) => e.ref.split('/').pop() === use).length === 1);
}

function refSchema<K extends ExtensionKind>(kind: K, registriesFor: () => ItemRegistries | undefined, description?: string): z.ZodType<ItemRef<K>> {
  const schema = refInput(kind).transform((value, ctx): ItemRef<K> => {
    const registries = registriesFor();
    const use = typeof value === 'string' ? value : value.use;
    const usePath = typeof value === 'string' ? [] : ['use'];
    if (!registries) {
      ctx.addIssue({
        code: 'custom',
        message: `the item reference '${use}' (a ${extensionKinds[kind]}) can only be validated while the kernel validates a config or creates an item; in a recipe's config schema use items.ref('${kind}').`,
        path: usePath,
      });
      return z.NEVER;
    }
    const rawOptions = typeof value === 'string' ? {} : (value.options ?? {});
    const registry = registries[kind];
    const sameTail = use.includes('/') ? [] : registry.list().filter((e) => e.ref.split('/').pop() === use);
    if (!registry.has(use) && sameTail.length > 1) {
      ctx.addIssue({ code: 'custom', message: `'${use}' names more than one ${registry.label}: ${sameTail.map((e) => e.ref).join(', ')}. Write it as plugin/item.`, path: usePath });
      return z.NEVER;
    }
    if (!findItem(registry, use)) {
      const elsewhere = extensionKindNames.filter((k) => k !== kind && findItem(registries[k], use));
      const known = registry.list().map((e) => e.ref);
      const message = elsewhere.length
        ? `'${use}' is a ${elsewhere.map((k) => registries[k].label).join(' / ')} item, not a ${registry.label}: this key takes a ${registry.label}.${known.length ? ` Known: ${known.join(', ')}` : ''}`
        : `unknown ${registry.label} '${use}'.${didYouMean(use, known)}${known.length ? ` Known: ${known.join(', ')}` : ''}`;
      ctx.addIssue({ code: 'custom', message, path: usePath });
      return z.NEVER;
    }
    const entry = registry.resolve(use);
    const unknown = findUnknownKeys(entry.value.options, rawOptions, ['options']);
    for (const u of unknown) ctx.addIssue({ code: 'custom', message: `${u.message} (options of ${entry.ref})`, path: [...u.path, u.key] });
    // The item's own options may hold references too: they resolve against the same registries.
    const parsed = withItemRegistries(registries, () => entry.value.options.safeParse(rawOptions, { reportInput: true }));
    if (!parsed.success || unknown.length) {
      // Each unknown key was reported once, above; the other problems are still worth hearing now.
      for (const issue of parsed.error?.issues ?? []) {
        if (issue.code === 'unrecognized_keys') continue;
        // Keep the original issue (code, expected, input) so the message says expected vs got.
        ctx.addIssue({ ...issue, path: ['options', ...issue.path] } as never);
      }
      return z.NEVER;
    }
    return { kind, use: entry.ref, options: parsed.data as Record<string, unknown> };
  });
  return schema.meta({ description: description ?? `a ${extensionKinds[kind]} item`, attuneItemKind: kind }) as unknown as z.ZodType<ItemRef<K>>;
}

export function itemRefBuilder(registries: ItemRegistries): ItemRefBuilder {
  return {
    ref<K extends ExtensionKind>(kind: K, description?: string): z.ZodType<ItemRef<K>> {
      return refSchema(kind, () => registries, description);
    },
  };
}

/**
 * A reference to another plugin item, for use inside an item's `options` (a safety controller
 * holding a classifier reward, an evaluator holding a judge). Accepts `plugin/item` or
 * `{ use, options }`; while a config is validated it is checked against the registries and
 * the referenced item's own option schema, errors naming the full key path (e.g.
 * `decoding.options.classifier.options.threshold`). The item's `create` builds it with
 * `env.create(options.classifier)`.
 */
export function itemRef<K extends ExtensionKind>(kind: K, description?: string): z.ZodType<ItemRef<K>> {
  return refSchema(kind, () => activeRegistries.at(-1), description);
}
