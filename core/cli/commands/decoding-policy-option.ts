/**
 * `--policy <item or config file>` for respond, chat and serve: an item reference
 * (`decoding/safety-controller`) or a YAML/JSON file holding `policy: {use, options}` (or
 * `use:`/`options:` at its top level, plus `plugins:`), validated against the item's own schema
 * so an error names the key.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DecodingPolicy } from '../../kernel/extension-points/decoding-policy.js';
import type { ItemRef } from '../../kernel/config/item-ref.js';

export const DEFAULT_POLICY = 'decoding/sampling';

export interface LoadedPolicy {
  readonly policy: DecodingPolicy;
  /** The validated reference (use and options with defaults), recorded with every reply. */
  readonly ref: ItemRef<'decoding'>;
}

export async function loadDecodingPolicy(spec: string | undefined, plugins: readonly string[] = []): Promise<LoadedPolicy> {
  const [{ z }, { bootKernel }, configModule, validate, itemRefs] = await Promise.all([
    import('zod'),
    import('../boot.js'),
    import('../../kernel/config/load-config.js'),
    import('../../kernel/config/validate-config.js'),
    import('../../kernel/config/item-ref.js'),
  ]);
  const value = spec ?? DEFAULT_POLICY;
  const isFile = /\.(ya?ml|json)$/i.test(value) || (value.includes('/') && existsSync(value) && !value.startsWith('decoding/'));
  const loaded = isFile ? configModule.loadConfig(value) : undefined;
  const kernel = await bootKernel({ plugins: [...plugins], configFiles: loaded ? [value] : [] });
  const schema = z.object({ policy: itemRefs.itemRef('decoding') });
  let data: unknown = { policy: value };
  let origin: { label: string; locate?: (path: readonly PropertyKey[]) => string | undefined } = { label: '--policy' };
  if (loaded) {
    const { plugins: _plugins, extends: _extends, recipe: _recipe, ...rest } = loaded.data;
    data = 'policy' in rest ? { policy: rest.policy } : { policy: rest };
    origin = { label: value, locate: (path) => loaded.locate('policy' in rest ? path : path.slice(1)) };
  }
  const { policy: ref } = itemRefs.withItemRegistries(kernel.registries.items, () => validate.validateConfig(schema, data, origin));
  const baseDir = loaded ? dirname(resolve(value)) : process.cwd();
  const policy = await kernel.create(ref, { baseDir, warn: (message) => process.stderr.write(`warning: ${message}\n`) });
  return { policy, ref };
}
