/**
 * `run_manifest.json`: everything needed to know what a run was and to reproduce it —
 * recipe, effective config, seed, code version (git commit when available), versions of
 * Node and key packages, times and status. Rewritten atomically on every change.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../base/paths.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeJsonAtomic, writeFileAtomicSync } from '../../base/atomic-write.js';
import type { RunStatus } from '../events/event-types.js';
import type { LoadedPlugin } from '../plugins/plugin-host.js';
import { attuneVersion } from '../version.js';
import { RecipeError } from '../../base/errors.js';

export interface RunManifest {
  recipe: string;
  status: RunStatus;
  /** The execution provider the run's sessions use (absent: cpu, as runs before the switch). */
  device?: 'cpu' | 'cuda' | 'webgpu';
  seed: number;
  config: Record<string, unknown>;
  configFiles: string[];
  overrides: string[];
  plugins: LoadedPlugin[];
  git?: { commit: string; dirty: boolean };
  versions: Record<string, string>;
  command: string[];
  startedAt: string;
  /** One entry per `--resume`. */
  resumedAt: string[];
  /** Set when the run started `--from-stage`: the stage it began at and the run the earlier stages came from. */
  fromStage?: { stage: string; run: string };
  endedAt?: string;
  error?: string;
  metrics?: Record<string, number>;
}

export const MANIFEST_FILE = 'run_manifest.json';

const KEY_PACKAGES = ['onnxruntime-node', '@huggingface/transformers', 'zod', 'yargs', 'inversify'];

export function packageVersions(): Record<string, string> {
  const require = createRequire(join(packageRoot, 'package.json'));
  const versions: Record<string, string> = { node: process.versions.node, attune: attuneVersion };
  for (const name of KEY_PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // Exports maps may hide package.json; fall back to reading it from node_modules.
      const file = join(packageRoot, 'node_modules', name, 'package.json');
      if (existsSync(file)) versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    }
  }
  return versions;
}

export function gitState(cwd = packageRoot): RunManifest['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined; // not a git checkout (an installed package): the versions still identify the code
  }
}

export async function writeManifest(runDir: string, manifest: RunManifest): Promise<void> {
  await writeJsonAtomic(join(runDir, MANIFEST_FILE), manifest);
}

export function writeManifestSync(runDir: string, manifest: RunManifest): void {
  writeFileAtomicSync(join(runDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(runDir: string): RunManifest {
  const file = join(runDir, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new RecipeError(`Cannot resume: ${file} does not exist.`, 'Pass the directory of an earlier run (it contains run_manifest.json).');
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunManifest;
  } catch (error) {
    throw new RecipeError(`Cannot resume: ${file} is not valid JSON (${(error as Error).message}).`);
  }
}
