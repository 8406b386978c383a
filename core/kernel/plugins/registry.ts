/**
 * A registry of named things (items of one extension point, or recipes). Names are
 * `plugin/item`; registering a taken name is an error that names both plugins.
 */
import { PluginError } from '../../base/errors.js';
import { didYouMean } from '../../base/suggest.js';

export interface RegistryEntry<T> {
  ref: string;
  plugin: string;
  value: T;
}

export class Registry<T> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  constructor(readonly label: string) {}

  add(ref: string, plugin: string, value: T): void {
    const existing = this.entries.get(ref);
    if (existing) {
      throw new PluginError(
        `${this.label} '${ref}' is registered twice: by plugin '${existing.plugin}' and by plugin '${plugin}'.`,
        'Rename the item in one of the two plugins, or load only one of them.',
      );
    }
    this.entries.set(ref, { ref, plugin, value });
  }

  has(ref: string): boolean {
    return this.entries.has(ref);
  }

  /** Look up by full ref; a bare item name is accepted when exactly one plugin has it. */
  resolve(ref: string): RegistryEntry<T> {
    const exact = this.entries.get(ref);
    if (exact) return exact;
    if (!ref.includes('/')) {
      const byTail = [...this.entries.values()].filter((e) => e.ref.split('/').pop() === ref);
      if (byTail.length === 1) return byTail[0]!;
      if (byTail.length > 1) {
        throw new PluginError(`'${ref}' names more than one ${this.label}: ${byTail.map((e) => e.ref).sort().join(', ')}.`, 'Write it as plugin/item.');
      }
    }
    const known = [...this.entries.keys()];
    throw new PluginError(
      `Unknown ${this.label} '${ref}'.${didYouMean(ref, known)}`,
      known.length ? `Known: ${known.join(', ')}. Load the plugin that provides it with --plugin or a config's plugins: list.` : `No ${this.label} is registered; load a plugin that provides one.`,
    );
  }

  list(): RegistryEntry<T>[] {
    return [...this.entries.values()].sort((a, b) => a.ref.localeCompare(b.ref));
  }
}
