/**
 * `--set a.b.c=value` overrides. Values are typed the way YAML types a scalar:
 * `3` → number, `1e-4` → number, `true` → boolean, `[a, b]` → list, `null` → null,
 * anything else → string. Quote to force a string: `--set name='"42"'`.
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../base/errors.js';
import { FORBIDDEN_CONFIG_KEYS, forbiddenKeyMessage, MAX_CONFIG_ALIASES } from './config-keys.js';

export interface Override {
  path: (string | number)[];
  value: unknown;
  /** The argument as typed, for messages. */
  source: string;
}

export function parseOverride(argument: string): Override {
  const eq = argument.indexOf('=');
  if (eq <= 0) {
    throw new ConfigError(`--set '${argument}' is not of the form key.path=value.`, 'Example: --set trainer.options.lr=2e-4 --set data.sources.0.use=sources/esconv');
  }
  const keyPath = argument.slice(0, eq).trim();
  const rawValue = argument.slice(eq + 1);
  const path = keyPath.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if (path.some((part) => part === '')) {
    throw new ConfigError(`--set '${argument}': the key path '${keyPath}' has an empty segment.`, 'Separate keys with single dots: a.b.c=value');
  }
  const forbidden = path.find((part) => FORBIDDEN_CONFIG_KEYS.has(String(part)));
  if (forbidden !== undefined) throw new ConfigError(`--set '${argument}': ${forbiddenKeyMessage(String(forbidden))}.`);
  let value: unknown;
  try {
    value = rawValue.trim() === '' ? '' : parseYaml(rawValue, { maxAliasCount: MAX_CONFIG_ALIASES, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(`--set '${argument}': the value is not valid YAML (${(error as Error).message.split('\n')[0]}).`, 'Quote strings that contain YAML syntax, e.g. --set prompt=\'"a: b"\'.');
  }
  const nested = forbiddenKeyIn(value);
  if (nested !== undefined) throw new ConfigError(`--set '${argument}': in the value, ${forbiddenKeyMessage(nested)}.`);
  return { path, value, source: argument };
}

function forbiddenKeyIn(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Reflect.ownKeys(value)) {
    if (FORBIDDEN_CONFIG_KEYS.has(String(key))) return String(key);
    const inner = forbiddenKeyIn((value as Record<PropertyKey, unknown>)[key]);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** Apply overrides to a plain config object (returns a new object). */
export function applyOverrides(config: Record<string, unknown>, overrides: Override[]): Record<string, unknown> {
  const result = structuredClone(config);
  for (const { path, value, source } of overrides) {
    let node: Record<string | number, unknown> = result;
    path.forEach((key, i) => {
      const last = i === path.length - 1;
      if (last) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (next === undefined || next === null) {
        node[key] = typeof path[i + 1] === 'number' ? [] : {};
      } else if (typeof next !== 'object') {
        throw new ConfigError(
          `--set '${source}': '${path.slice(0, i + 1).join('.')}' is a ${typeof next} (${JSON.stringify(next)}), so it has no key '${String(path[i + 1])}'.`,
        );
      }
      node = node[key] as Record<string | number, unknown>;
    });
  }
  return result;
}
