/**
 * Third-party plugins: a local path (`./my-plugin.ts`, a folder with package.json) or an
 * installed npm package name, resolved from the user's working directory the way Node
 * resolves their own imports. The module's default export (or `plugin` export) is the
 * plugin definition.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError } from '../../base/errors.js';
import { packageRoot } from '../../base/paths.js';
import type { PluginCandidate } from './plugin-host.js';

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec);
}

/** A folder plugin: its package.json entry, else an index file. */
function entryOfFolder(folder: string, spec: string): string {
  if (existsSync(join(folder, 'package.json'))) return createRequire(join(folder, 'noop.js')).resolve(folder);
  const index = ['index.js', 'index.mjs', 'index.ts'].map((f) => join(folder, f)).find((f) => existsSync(f));
  if (!index) {
    throw new PluginError(`Plugin folder ${spec} has no package.json and no index.js/index.mjs/index.ts.`, 'Point --plugin at the plugin module file, or add a package.json with a "main" entry.');
  }
  return index;
}

let typescriptLoader: Promise<void> | undefined;

/**
 * A TypeScript plugin needs a loader. Running from the sources (this file is .ts) or under
 * `node --import tsx`, tsx is already there; the compiled CLI registers it on the first .ts
 * plugin, so commands without one never load it.
 */
function ensureTypeScriptLoader(): Promise<void> {
  const active = import.meta.url.endsWith('.ts') || createRequire(import.meta.url).extensions['.ts'] !== undefined;
  if (active) return Promise.resolve();
  typescriptLoader ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return typescriptLoader;
}

let resolveHook = false;

/**
 * Once per process: bare imports a plugin cannot resolve from its own folder (`attune`, `zod`)
 * resolve from Attune's package root, so a plugin file or package anywhere on disk loads.
 */
function ensurePluginResolution(): void {
  if (resolveHook) return;
  resolveHook = true;
  const hook = new URL('./plugin-resolve-hook.mjs', import.meta.url);
  // The compiled CLI runs from dist/, which has no copy of the .mjs hook: use the sources' one.
  const file = existsSync(hook) ? hook : pathToFileURL(join(packageRoot, 'core', 'kernel', 'plugins', 'plugin-resolve-hook.mjs'));
  register(file, { data: { root: pathToFileURL(join(packageRoot, 'package.json')).href } });
}

export async function loadPluginModule(spec: string, cwd = process.cwd()): Promise<PluginCandidate> {
  let resolved: string;
  if (looksLikePath(spec)) {
    resolved = resolve(cwd, spec);
    if (!existsSync(resolved)) {
      throw new PluginError(`Plugin not found: ${spec} (looked at ${resolved}).`, 'Give a path to the plugin module or its folder, or the name of an installed npm package.');
    }
    if (statSync(resolved).isDirectory()) resolved = entryOfFolder(resolved, spec);
  } else {
    try {
      resolved = createRequire(join(cwd, 'package.json')).resolve(spec);
    } catch {
      throw new PluginError(`Plugin package '${spec}' is not installed (resolved from ${cwd}).`, `Install it with 'npm install ${spec}', or give a path starting with ./`);
    }
  }
  let module: Record<string, unknown>;
  try {
    // The TypeScript loader first: hooks run last-registered first, so the plugin resolution wraps it.
    if (/\.[cm]?ts$/.test(resolved)) await ensureTypeScriptLoader();
    ensurePluginResolution();
    module = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(`Plugin '${spec}' failed to load from ${resolved}: ${(error as Error).message}`);
  }
  const definition = module.default ?? module.plugin;
  if (definition === undefined) {
    throw new PluginError(`Plugin module ${resolved} exports no plugin.`, 'Export the result of definePlugin(...) as the default export.');
  }
  return { definition, origin: resolved };
}
