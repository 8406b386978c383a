// A module resolution hook (node:module register) for third-party plugins that live outside
// Attune's install: a bare import the plugin cannot resolve from its own folder — `attune`,
// `attune/train`, `zod` — is resolved again from Attune's package root, so the plugin gets the
// very modules the CLI runs. A plugin's own installed dependencies still win.
let root;

export function initialize(data) {
  root = data.root;
}

const bare = (specifier) => !/^(?:[./]|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier);

const PLUGIN_TS = /\.ts$/;

export async function resolve(specifier, context, nextResolve) {
  try {
    const result = await nextResolve(specifier, context);
    // A .ts plugin written with import/export, in a folder without "type": "module", is an ES
    // module (as the README shows plugins); left to the default it would load as CommonJS.
    if (context.parentURL === undefined || !PLUGIN_TS.test(result.url) || result.url.includes('/node_modules/') || (root && result.url.startsWith(new URL('.', root).href))) return result;
    return result.format === 'commonjs' || result.format === undefined ? { ...result, format: 'module' } : result;
  } catch (error) {
    if (!root || !bare(specifier) || (error && error.code !== 'ERR_MODULE_NOT_FOUND')) throw error;
    return nextResolve(specifier, { ...context, parentURL: root });
  }
}
