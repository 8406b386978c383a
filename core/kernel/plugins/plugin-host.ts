/**
 * Loads plugin definitions into the kernel's registries: validates each definition,
 * refuses duplicate plugin names, checks `requires` (presence and semver range), then
 * calls `register` with a context scoped to the plugin, in dependency order.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import semver from 'semver';
import { z } from 'zod';
import { PluginError } from '../../base/errors.js';
import type { ItemDefinition } from '../item.js';
import type { RecipeDefinition } from '../recipes/recipe.js';
import type { Registries } from './registries.js';
import { extensionKindNames } from './extension-kinds.js';
import type { ExtensionInstances, ExtensionKind } from './extension-kinds.js';
import type { PluginContext, PluginDefinition } from './plugin.js';
import { attuneVersion } from '../version.js';

export interface LoadedPlugin {
  name: string;
  version: string;
  /** Where it came from: `built-in`, a file path or a package name. */
  origin: string;
}

export interface PluginCandidate {
  definition: unknown;
  origin: string;
}

const namePattern = /^[a-z0-9][a-z0-9._-]*$/;

const definitionShape = z.object({
  name: z.string().regex(namePattern, 'lowercase letters, digits, ".", "_" or "-"'),
  version: z.string().refine((v) => semver.valid(v) !== null, 'a semantic version such as 1.0.0'),
  requires: z.record(z.string(), z.string().refine((r) => semver.validRange(r) !== null, 'a semver range such as ^1.2.0')).optional(),
  register: z.custom<PluginDefinition['register']>((v) => typeof v === 'function', 'a function register(ctx)'),
});

export class PluginHost {
  private readonly loaded = new Map<string, LoadedPlugin>();

  constructor(private readonly registries: Registries) {}

  plugins(): LoadedPlugin[] {
    return [...this.loaded.values()];
  }

  /** Load a batch of plugins (e.g. built-ins plus `--plugin` ones) so they may require each other. */
  async loadAll(candidates: PluginCandidate[]): Promise<void> {
    const batch = new Map<string, { definition: PluginDefinition; origin: string }>();
    for (const candidate of candidates) {
      const definition = validateDefinition(candidate.definition, candidate.origin);
      const clash = this.loaded.get(definition.name) ?? batch.get(definition.name);
      if (clash) {
        throw new PluginError(
          `Two plugins are named '${definition.name}': one from ${clash.origin}, one from ${candidate.origin}.`,
          'Plugin names must be unique; rename one of them or load only one.',
        );
      }
      batch.set(definition.name, { definition, origin: candidate.origin });
    }
    for (const { definition, origin } of batch.values()) this.checkRequirements(definition, origin, batch);
    for (const name of dependencyOrder(batch)) {
      const { definition, origin } = batch.get(name)!;
      await definition.register(this.contextFor(definition.name));
      this.loaded.set(name, { name, version: definition.version, origin });
    }
  }

  private checkRequirements(
    definition: PluginDefinition,
    origin: string,
    batch: Map<string, { definition: PluginDefinition; origin: string }>,
  ): void {
    for (const [needed, range] of Object.entries(definition.requires ?? {})) {
      const present =
        needed === 'attune'
          ? { version: attuneVersion, origin: 'the kernel' }
          : this.loaded.get(needed) ?? (batch.get(needed) && { version: batch.get(needed)!.definition.version, origin: batch.get(needed)!.origin });
      if (!present) {
        throw new PluginError(
          `Plugin '${definition.name}' (from ${origin}) requires plugin '${needed}' ${range}, which is not loaded.`,
          `Load '${needed}' too (--plugin or a config's plugins: list).`,
        );
      }
      if (!semver.satisfies(present.version, range)) {
        throw new PluginError(
          `Plugin '${definition.name}' (from ${origin}) requires '${needed}' ${range}, but '${needed}' ${present.version} is loaded (from ${present.origin}).`,
          `Install a version of '${needed}' in ${range}, or a version of '${definition.name}' that supports ${present.version}.`,
        );
      }
    }
  }

  private contextFor(plugin: string): PluginContext {
    const registrar = <K extends ExtensionKind>(kind: K) => ({
      register: (name: string, item: ItemDefinition<z.ZodType, unknown>) => {
        checkItemName(plugin, kind, name);
        checkItemShape(plugin, kind, name, item);
        // The registrar's signature already ties the item's instance type to `kind`.
        this.registries.items[kind].add(`${plugin}/${name}`, plugin, item as ItemDefinition<z.ZodType, ExtensionInstances[K]>);
      },
    });
    const scoped = Object.fromEntries(extensionKindNames.map((kind) => [kind, registrar(kind)]));
    return {
      ...(scoped as Omit<PluginContext, 'plugin' | 'recipes'>),
      plugin,
      recipes: {
        register: (name: string, recipe: RecipeDefinition) => {
          checkItemName(plugin, 'recipes', name);
          this.registries.recipes.add(name, plugin, recipe);
        },
      },
    };
  }
}

function validateDefinition(value: unknown, origin: string): PluginDefinition {
  const parsed = definitionShape.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(plugin)'}: ${describeZodIssue(i)}`).join('; ');
    throw new PluginError(
      `The plugin from ${origin} is not a valid plugin definition: ${problems}.`,
      "Export `definePlugin({ name, version, register(ctx) { … } })` as the module's default export.",
    );
  }
  return value as PluginDefinition;
}

function checkItemName(plugin: string, kind: string, name: string): void {
  if (!namePattern.test(name)) {
    throw new PluginError(
      `Plugin '${plugin}' registers ${kind} item '${name}': names must be lowercase letters, digits, '.', '_' or '-'.`,
    );
  }
}

function checkItemShape(plugin: string, kind: string, name: string, item: ItemDefinition<z.ZodType, unknown>): void {
  const missing = [
    typeof item?.description !== 'string' && 'description (a string)',
    // Duck-typed: a plugin installed with its own copy of zod is still a valid plugin.
    typeof (item?.options as { safeParse?: unknown } | undefined)?.safeParse !== 'function' && 'options (a zod schema)',
    typeof item?.create !== 'function' && 'create(options, env)',
  ].filter(Boolean);
  if (missing.length) {
    throw new PluginError(`Plugin '${plugin}' registers ${kind} item '${name}' without ${missing.join(', ')}.`, 'Build items with defineItem({ description, options, create }).');
  }
}

/** Topological order so a plugin registers after the plugins it requires. */
function dependencyOrder(batch: Map<string, { definition: PluginDefinition }>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done' || !batch.has(name)) return;
    if (state.get(name) === 'visiting') {
      throw new PluginError(`Plugins require each other in a cycle: ${[...path, name].join(' → ')}.`);
    }
    state.set(name, 'visiting');
    for (const needed of Object.keys(batch.get(name)!.definition.requires ?? {})) visit(needed, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of batch.keys()) visit(name, []);
  return order;
}
