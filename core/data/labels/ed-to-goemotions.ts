/**
 * Explicit ED-32 → GoEmotions-28 mapping (ed-to-goemotions.json), for training an emotion
 * head on ED conversations with GoEmotions classes or comparing the two. Each entry says how
 * well it fits; callers may keep only `exact`/`close` entries.
 */
import { readFileSync } from 'node:fs';
import { ed32Labels } from './ed32.js';
import { goEmotionsLabels } from './goemotions.js';
import { LabelError } from './vocabulary.js';
import { assetPath } from '../../base/paths.js';

export type MappingFit = 'exact' | 'close' | 'loose';

export interface EdToGoEmotionsEntry {
  label: string;
  fit: MappingFit;
  note?: string;
}

const fitRank: Record<MappingFit, number> = { exact: 0, close: 1, loose: 2 };
let table: ReadonlyMap<string, EdToGoEmotionsEntry> | undefined;

export function edToGoEmotionsTable(): ReadonlyMap<string, EdToGoEmotionsEntry> {
  table ??= loadTable();
  return table;
}

/**
 * The GoEmotions label for an ED label, or undefined when the entry fits worse than
 * `worstFit` (default `loose`: every ED label maps).
 */
export function edToGoEmotions(edLabel: string, worstFit: MappingFit = 'loose'): string | undefined {
  const entry = edToGoEmotionsTable().get(edLabel);
  if (!entry) throw new LabelError(`'${edLabel}' is not an ED-32 label`, `Known labels: ${ed32Labels.join(', ')}.`);
  return fitRank[entry.fit] <= fitRank[worstFit] ? entry.label : undefined;
}

function loadTable(): ReadonlyMap<string, EdToGoEmotionsEntry> {
  const file = assetPath(import.meta.url, 'ed-to-goemotions.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { mapping: Record<string, EdToGoEmotionsEntry> };
  const targets = new Set<string>(goEmotionsLabels);
  for (const [ed, entry] of Object.entries(parsed.mapping)) {
    if (!targets.has(entry.label) || !(entry.fit in fitRank)) {
      throw new LabelError(`${file}: entry '${ed}' maps to '${entry.label}' (${entry.fit}), which is not a GoEmotions label with a known fit`);
    }
  }
  return new Map(Object.entries(parsed.mapping));
}
