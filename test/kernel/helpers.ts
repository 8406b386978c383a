/** Shared test helpers for kernel tests: temp dirs and a kernel with the fixture plugin. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import { fromPackageRoot } from '../../core/base/paths.js';

export const fixturePluginPath = fromPackageRoot('test', 'fixtures', 'third-party-plugin');

export function tempDir(prefix = 'attune-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function fixtureKernel(): Promise<Kernel> {
  return new Kernel().load({ specifiers: [fixturePluginPath] });
}
