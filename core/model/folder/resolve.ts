/**
 * Turns what a user writes for `model:` into a local folder. Attune never downloads: a name is
 * either an embedded model, a folder path, or a Hugging Face hub id already in the local HF cache.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fromPackageRoot } from '../../base/paths.js';
import { ModelFolderError } from './errors.js';

export const DEFAULT_MODEL = 'attune-tiny-qwen2';

const MODELS_DIR = fromPackageRoot('models');

/** Names that map to folders shipped in the repository's `models/`. */
export function embeddedModels(): string[] {
  return existsSync(MODELS_DIR)
    ? readdirSync(MODELS_DIR).filter((d) => existsSync(join(MODELS_DIR, d, 'config.json'))).sort()
    : [];
}

export interface ResolveOptions {
  /** Relative paths are resolved against this (a config file's folder); default: the working directory. */
  baseDir?: string;
  /** Overrides HF_HUB_CACHE / HF_HOME lookup (tests). */
  hubCacheDir?: string;
}

export function resolveModelFolder(nameOrPath: string = DEFAULT_MODEL, options: ResolveOptions = {}): string {
  if (embeddedModels().includes(nameOrPath)) return join(MODELS_DIR, nameOrPath);
  const asPath = isAbsolute(nameOrPath) ? nameOrPath : resolve(options.baseDir ?? process.cwd(), nameOrPath);
  if (existsSync(asPath)) {
    if (!statSync(asPath).isDirectory()) {
      throw new ModelFolderError(`model "${nameOrPath}" is a file (${asPath}); expected a Hugging Face model folder`);
    }
    return asPath;
  }
  const cached = fromHubCache(nameOrPath, options.hubCacheDir ?? hubCacheDir());
  if (cached) return cached;
  throw new ModelFolderError(
    `model "${nameOrPath}" is not an embedded model, not a folder (looked at ${asPath}) and not in the local Hugging Face cache`,
    `Attune only reads local folders. Embedded: ${embeddedModels().join(', ') || '(none)'}. ` +
      'Otherwise download once (e.g. `huggingface-cli download <id> --local-dir <folder>`) and give the folder path.',
  );
}

function hubCacheDir(): string {
  if (process.env.HF_HUB_CACHE) return process.env.HF_HUB_CACHE;
  const home = process.env.HF_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** `org/name` → `<cache>/models--org--name/snapshots/<commit of refs/main>`, if it is there. */
function fromHubCache(id: string, cacheDir: string): string | undefined {
  if (!/^[\w.-]+\/[\w.-]+$/.test(id)) return undefined;
  const repo = join(cacheDir, `models--${id.replace('/', '--')}`);
  const ref = join(repo, 'refs', 'main');
  if (!existsSync(ref)) return undefined;
  const snapshot = join(repo, 'snapshots', readFileSync(ref, 'utf8').trim());
  return existsSync(join(snapshot, 'config.json')) ? snapshot : undefined;
}
