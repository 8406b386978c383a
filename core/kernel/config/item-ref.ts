/**
 * Config references to plugin items. In a config an item is written as
 *   `use: sources/ed` with optional `options: { … }`   (or just the string `sources/ed`)
 * and validated against that item's own option schema, so an error inside the options
 * names the full key path (e.g. `data.sources.0.options.badRows`).
 */
import { z } from 'zod';
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

export function itemRefBuilder(registries: ItemRegistries): ItemRefBuilder {
  return {
    ref<K extends ExtensionKind>(kind: K, description?: string): z.ZodType<ItemRef<K>> {
      const schema = refInput(kind).transform((value, ctx): ItemRef<K> => {
        const use = typeof value === 'string' ? value : value.use;
        const rawOptions = typeof value === 'string' ? {} : (value.options ?? {});
        const registry = registries[kind];
        if (!registry.has(use) && !(!use.includes('/') && registry.list().some((e) => e.ref.endsWith(`/${use}`)))) {
          const known = registry.list().map((e) => e.ref);
          ctx.addIssue({
            code: 'custom',
            message: `unknown ${registry.label} '${use}'.${didYouMean(use, known)}${known.length ? ` Known: ${known.join(', ')}` : ''}`,
            path: typeof value === 'string' ? [] : ['use'],
          });
          return z.NEVER;
        }
        const entry = registry.resolve(use);
        const unknown = findUnknownKeys(entry.value.options, rawOptions, ['options']);
        for (const u of unknown) ctx.addIssue({ code: 'custom', message: `${u.message} (options of ${entry.ref})`, path: [...u.path, u.key] });
        if (unknown.length) return z.NEVER;
        const parsed = entry.value.options.safeParse(rawOptions, { reportInput: true });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            // Keep the original issue (code, expected, input) so the message says expected vs got.
            ctx.addIssue({ ...issue, path: ['options', ...issue.path] } as never);
          }
          return z.NEVER;
        }
        return { kind, use: entry.ref, options: parsed.data as Record<string, unknown> };
      });
      return schema.meta({ description: description ?? `a ${registries[kind].label} item`, attuneItemKind: kind }) as unknown as z.ZodType<ItemRef<K>>;
    },
  };
}
