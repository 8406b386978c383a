/**
 * Reads a YAML or JSON config file. A config may `extends: other.yaml` (relative to
 * itself): the parent is loaded first and this file's keys merged over it (objects merge,
 * lists and scalars replace). `plugins: [...]` lists extra plugins, resolved relative to the
 * file. Positions are kept so that errors can say `file:line:col`.
 */
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { LineCounter, parseDocument, isMap } from 'yaml';
import type { Document } from 'yaml';
import { ConfigError } from '../../base/errors.js';
import { checkConfigKeys, MAX_CONFIG_ALIASES } from './config-keys.js';

export interface LoadedConfig {
  data: Record<string, unknown>;
  /** The files read, the named file first, then the files it extends. */
  files: string[];
  /** Plugin specifiers from `plugins:` (paths made absolute). */
  plugins: string[];
  /** The recipe the file is written for (`recipe:` key), if it says. */
  recipe?: string;
  /** The execution provider the file asks for (`device:` cpu, cuda or webgpu). */
  device?: 'cpu' | 'cuda' | 'webgpu';
  /** `file:line:col` of the key at `path`, searching the named file first. */
  locate(path: readonly PropertyKey[]): string | undefined;
}

/** Keys the kernel consumes itself; they never reach a recipe's schema. */
export const kernelConfigKeys = ['extends', 'plugins', 'recipe', 'device'] as const;

interface ParsedFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: Record<string, unknown>;
}

function parseFile(file: string, from?: string): ParsedFile {
  if (!existsSync(file)) {
    throw new ConfigError(`Config file not found: ${file}${from ? ` (named by 'extends' in ${from})` : ''}.`, 'Check the path; `attune cp <recipe> <file>` writes a starting config.');
  }
  const named = from ? ` (named by 'extends' in ${from})` : '';
  if (statSync(file).isDirectory()) {
    const yamls = readdirSync(file).filter((name) => /\.(ya?ml|json)$/i.test(name));
    throw new ConfigError(
      `${file} is a folder, not a config file${named}.`,
      yamls.length ? `Name one of its files, e.g. ${resolve(file, yamls[0]!)} (it has ${yamls.slice(0, 6).join(', ')}${yamls.length > 6 ? ', …' : ''}).` : 'Give the path of a .yaml or .json config file; `attune cp <recipe> <file>` writes one.',
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Config file ${file} cannot be read${named}: ${(error as Error).message}.`, 'Check its permissions, or copy it somewhere readable.');
  }
  const lines = new LineCounter();
  // Duplicate keys are found by checkConfigKeys in one pass; the yaml library's own check is
  // quadratic in a mapping's size (100k keys took minutes).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number): string => {
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ConfigError(`${at(error.pos[0])}: not valid YAML/JSON: ${error.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents)) {
    throw new ConfigError(`${file}: a config must be a mapping of keys to values at the top level, got ${doc.contents ? doc.contents.constructor.name : 'an empty file'}.`);
  }
  checkConfigKeys(doc, at);
  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: MAX_CONFIG_ALIASES }) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message;
    const hint = /alias count/i.test(message)
      ? `A config may expand at most ${MAX_CONFIG_ALIASES} aliases (*name); write the repeated values out, or share them with 'extends:'.`
      : 'Define each anchor (&name) before the alias (*name) that uses it.';
    throw new ConfigError(`${file}: the YAML aliases cannot be expanded: ${message.split('\n')[0]}.`, hint);
  }
  return { file, doc, lines, data };
}

/** Keys that say which member of a union an object is: another member replaces it whole. */
const DISCRIMINATORS = ['kind', 'use'] as const;

/** Another member of a union (`sampling.kind`, an item's `use`): its keys must not mix with the prior one's. */
function otherMember(prior: Record<string, unknown>, value: Record<string, unknown>): boolean {
  return DISCRIMINATORS.some((k) => k in value && k in prior && value[k] !== prior[k]);
}

export function mergeConfigs(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isPlainObject(prior) && isPlainObject(value) && !otherMember(prior, value) ? mergeConfigs(prior, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadConfig(path: string): LoadedConfig {
  const chain: ParsedFile[] = [];
  let current = resolve(path);
  let from: string | undefined;
  while (true) {
    if (chain.some((f) => f.file === current)) {
      throw new ConfigError(`Config files extend each other in a cycle: ${[...chain.map((f) => f.file), current].join(' → ')}.`);
    }
    const parsed = parseFile(current, from);
    chain.push(parsed);
    const parent = parsed.data.extends;
    if (parent === undefined) break;
    if (typeof parent !== 'string') {
      throw new ConfigError(`${locateIn(parsed, ['extends']) ?? parsed.file}: 'extends' must be a path (string), got ${JSON.stringify(parent)}.`);
    }
    from = current;
    current = isAbsolute(parent) ? parent : resolve(dirname(current), parent);
  }
  let data: Record<string, unknown> = {};
  const plugins: string[] = [];
  let recipe: string | undefined;
  let device: LoadedConfig['device'];
  for (const parsed of [...chain].reverse()) {
    const { extends: _extends, plugins: filePlugins, recipe: fileRecipe, device: fileDevice, ...rest } = parsed.data;
    if (fileDevice !== undefined) {
      if (fileDevice !== 'cpu' && fileDevice !== 'cuda' && fileDevice !== 'webgpu') throw new ConfigError(`${locateIn(parsed, ['device']) ?? parsed.file}: 'device' must be cpu, cuda or webgpu, got ${JSON.stringify(fileDevice)}.`);
      device = fileDevice;
    }
    if (fileRecipe !== undefined) {
      if (typeof fileRecipe !== 'string') throw new ConfigError(`${locateIn(parsed, ['recipe']) ?? parsed.file}: 'recipe' must be a recipe name, got ${JSON.stringify(fileRecipe)}.`);
      recipe = fileRecipe;
    }
    data = mergeConfigs(data, rest);
    if (filePlugins !== undefined) {
      if (!Array.isArray(filePlugins) || filePlugins.some((p) => typeof p !== 'string')) {
        throw new ConfigError(`${locateIn(parsed, ['plugins']) ?? parsed.file}: 'plugins' must be a list of paths or package names.`);
      }
      for (const spec of filePlugins as string[]) {
        plugins.push(spec.startsWith('.') ? resolve(dirname(parsed.file), spec) : spec);
      }
    }
  }
  return {
    data,
    files: chain.map((f) => f.file),
    plugins,
    ...(recipe !== undefined && { recipe }),
    ...(device !== undefined && { device }),
    locate: (keyPath) => {
      // The file that sets the exact key wins; otherwise the deepest existing parent.
      for (let depth = keyPath.length; depth >= 1; depth--) {
        for (const parsed of chain) {
          const found = positionOf(parsed, keyPath.slice(0, depth));
          if (found) return found;
        }
      }
      return undefined;
    },
  };
}

function positionOf(parsed: ParsedFile, keyPath: readonly PropertyKey[]): string | undefined {
  const node = parsed.doc.getIn(keyPath as (string | number)[], true) as { range?: [number, number, number] } | undefined;
  if (!node?.range) return undefined;
  const pos = parsed.lines.linePos(node.range[0]);
  return `${parsed.file}:${pos.line}:${pos.col}`;
}

function locateIn(parsed: ParsedFile, keyPath: readonly PropertyKey[]): string | undefined {
  for (let depth = keyPath.length; depth >= 1; depth--) {
    const found = positionOf(parsed, keyPath.slice(0, depth));
    if (found) return found;
  }
  return undefined;
}
