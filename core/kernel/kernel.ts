/**
 * The kernel: one inversify container holding the registries and the plugin host. The CLI
 * and tests create a kernel, load the built-in plugins plus any third-party ones, and ask
 * it for recipes and items. It knows the six extension points and nothing about empathy.
 */
import 'reflect-metadata';
import { Container } from 'inversify';
import { PluginError } from '../base/errors.js';
import type { z } from 'zod';
import { itemRefBuilder, withItemRegistries } from './config/item-ref.js';
import type { ItemRef, ItemRefBuilder } from './config/item-ref.js';
import type { ItemEnvironment } from './item.js';
import type { ExtensionInstances, ExtensionKind } from './plugins/extension-kinds.js';
import { loadPluginModule } from './plugins/load-plugin-module.js';
import type { PluginDefinition } from './plugins/plugin.js';
import { PluginHost } from './plugins/plugin-host.js';
import type { PluginCandidate } from './plugins/plugin-host.js';
import { createRegistries } from './plugins/registries.js';
import type { Registries } from './plugins/registries.js';

export const KernelTokens = {
  Registries: Symbol.for('attune.Registries'),
  PluginHost: Symbol.for('attune.PluginHost'),
} as const;

export class Kernel {
  readonly container = new Container();

  constructor() {
    const registries = createRegistries();
    this.container.bind<Registries>(KernelTokens.Registries).toConstantValue(registries);
    this.container.bind<PluginHost>(KernelTokens.PluginHost).toConstantValue(new PluginHost(registries));
  }

  get registries(): Registries {
    return this.container.get<Registries>(KernelTokens.Registries);
  }

  get host(): PluginHost {
    return this.container.get<PluginHost>(KernelTokens.PluginHost);
  }

  /** Load built-in definitions and third-party specifiers together, so they may require each other. */
  async load(options: { builtins?: PluginDefinition[]; specifiers?: string[]; cwd?: string }): Promise<this> {
    const candidates: PluginCandidate[] = (options.builtins ?? []).map((definition) => ({ definition, origin: 'built-in' }));
    for (const spec of options.specifiers ?? []) candidates.push(await loadPluginModule(spec, options.cwd));
    await this.host.loadAll(candidates);
    return this;
  }

  itemRefs(): ItemRefBuilder {
    return itemRefBuilder(this.registries.items);
  }

  /**
   * Build an item from a validated reference. The item gets `env` with `create` filled in (when
   * the caller gave none) so it can build the items its options reference, with the same env.
   */
  async create<K extends ExtensionKind>(ref: ItemRef<K>, env: ItemEnvironment): Promise<ExtensionInstances[K]> {
    const entry = this.registries.items[ref.kind].resolve(ref.use);
    const registries = this.registries.items;
    const options = withItemRegistries(registries, () => (entry.value.options as z.ZodType).parse(ref.options));
    const full: ItemEnvironment = env.create ? env : { ...env, create: (inner) => this.create(inner, full) };
    const instance = (await entry.value.create(options, full)) as ExtensionInstances[K];
    const declared = entry.value.kind;
    const actual = (instance as { kind?: unknown } | null)?.kind;
    if (declared !== undefined && actual !== declared) {
      throw new PluginError(`Item '${entry.ref}' declares kind '${declared}' but create() returned an instance of kind '${String(actual)}'.`, 'The item definition and the object it creates must name the same training kind.');
    }
    return instance;
  }
}
