/**
 * Checks on a parsed config's keys, in one linear pass over the YAML tree: a key set twice in
 * one mapping (YAML would keep one silently), and keys that name JavaScript's object machinery
 * (`__proto__`, `constructor`, `prototype`), which no Attune schema has and which can change
 * how every object in the process behaves when merged or overridden.
 */
import { isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { ConfigError } from '../../base/errors.js';

/**
 * Aliases a config may expand: a handful is plenty for sharing a block, and an "alias bomb"
 * (aliases of aliases) would otherwise expand into billions of nodes.
 */
export const MAX_CONFIG_ALIASES = 100;

/** Keys refused in configs and `--set` paths. */
export const FORBIDDEN_CONFIG_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function forbiddenKeyMessage(key: string): string {
  return `the key '${key}' is not allowed: it names JavaScript's object machinery, not a setting`;
}

/** Throws a located ConfigError for the first duplicate or forbidden key; `at` turns an offset into file:line:col. */
export function checkConfigKeys(doc: Document, at: (offset: number) => string): void {
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : isMap(keyNode) || isSeq(keyNode) ? undefined : String(keyNode);
        const offset = keyNode?.range?.[0] ?? map.range?.[0] ?? 0;
        if (key === undefined) throw new ConfigError(`${at(offset)}: a key must be a name, not a list or mapping.`);
        if (FORBIDDEN_CONFIG_KEYS.has(key)) throw new ConfigError(`${at(offset)}: ${forbiddenKeyMessage(key)}.`, 'Remove the key.');
        if (seen.has(key)) throw new ConfigError(`${at(offset)}: the key '${key}' is set twice in the same mapping; YAML would keep only one.`, 'Remove one of them.');
        seen.add(key);
      }
      return undefined;
    },
  });
}
