#!/usr/bin/env node
// The `attune` command. It runs the compiled JavaScript in dist/ (`npm run build`, which `npm ci`
// runs) when that is at least as new as the TypeScript sources; otherwise — a clone without a
// build, or sources edited since — it runs the sources through tsx, so nothing goes stale.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Newest mtime of a file, or of a folder with its TypeScript files and subfolders (a folder's mtime covers adds and deletes). */
function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() || /\.[cm]?ts$/.test(entry.name)) newest = Math.max(newest, newestSource(join(path, entry.name)));
  }
  return newest;
}

function compiledIsCurrent() {
  let built;
  try {
    built = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return false;
  }
  try {
    const sources = ['core', 'plugins', 'recipes', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(root, p));
    return sources.every((p) => newestSource(p) <= built);
  } catch {
    return false;
  }
}

let cli;
if (compiledIsCurrent()) {
  // Plain Node: `attune`, `attune/data`, … resolve to dist/ through the exports' default condition.
  cli = await import('../dist/core/cli/main.js');
} else {
  const { register: registerHooks } = await import('node:module');
  const { register } = await import('tsx/esm/api');
  registerHooks('./source-conditions.mjs', import.meta.url);
  register();
  cli = await import('../core/cli/main.ts');
}
cli.installCrashHandlers(process.argv.slice(2));
process.exitCode = await cli.runCli(process.argv.slice(2));
