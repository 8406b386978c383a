/**
 * Where Attune itself is installed: shipped configs, slices and the embedded models live here.
 * Found by walking up to Attune's package.json, so the same code works from the TypeScript
 * sources and from the compiled JavaScript under `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'attune') return dir;
    if (dirname(dir) === dir) throw new Error(`Attune's package.json was not found above ${from}`);
  }
}

export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export function fromPackageRoot(...parts: string[]): string {
  return join(packageRoot, ...parts);
}

/** Where Attune's compiled JavaScript lives (`npm run build`, run by `npm ci`). */
export const compiledRoot: string = join(packageRoot, 'dist');

/**
 * A file shipped beside a module (a slice, a label table): `relativePath` resolved against the
 * module's folder in the source tree. Compiled modules under `dist/` map back to their source
 * folder, where the data files are; other modules (a third party's) resolve as they are.
 */
export function assetPath(moduleUrl: string, relativePath: string): string {
  const dir = dirname(fileURLToPath(moduleUrl));
  const inDist = relative(compiledRoot, dir);
  const sourceDir = !inDist.startsWith('..') && !isAbsolute(inDist) ? join(packageRoot, inDist) : dir;
  return join(sourceDir, relativePath);
}
