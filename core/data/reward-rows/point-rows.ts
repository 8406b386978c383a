/**
 * Regression rows (a numeric label, e.g. WASSA `scores.empathy`) and classification rows (a string
 * label, e.g. `emotion.label`, `strategy`) from classify examples. Examples without the label are
 * skipped and counted; a label of the wrong type is a located error (the path is probably wrong).
 */
import { AttuneError } from '../../base/errors.js';
import type { CanonicalExample } from '../example.js';
import { exampleText, labelAt } from './example-text.js';
import type { PointRow, RewardRows } from './rows.js';

function wrongType(example: CanonicalExample, path: string, expected: string, value: unknown): never {
  const p = example.provenance;
  throw new AttuneError(
    `${p.file}, row ${p.row} (${example.id}): label '${path}' is ${JSON.stringify(value)}; a ${expected} is expected.`,
    `Point the label path at a ${expected} label of this source (see \`attune data inspect\`).`,
  );
}

export function scoreRows(examples: readonly CanonicalExample[], path: string): RewardRows {
  const rows: PointRow[] = [];
  let skipped = 0;
  for (const example of examples) {
    const value = labelAt(example, path);
    if (value === undefined || value === null) {
      skipped++;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(example, path, 'finite number', value);
    rows.push({ id: example.id, input: { text: exampleText(example) }, target: value });
  }
  return { task: 'regression', rows, labels: [path.slice(path.lastIndexOf('.') + 1)], skipped };
}

/**
 * `classes` fixes the label order (the exported id2label); without it the classes are the sorted
 * distinct values of `examples`. Values outside `classes` are skipped and counted.
 */
export function classRows(examples: readonly CanonicalExample[], path: string, classes?: readonly string[]): RewardRows {
  const values = examples.map((example) => {
    const value = labelAt(example, path);
    if (value !== undefined && value !== null && typeof value !== 'string') wrongType(example, path, 'string', value);
    return value as string | undefined | null;
  });
  const labels = classes ?? [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const rows: PointRow[] = [];
  let skipped = 0;
  examples.forEach((example, i) => {
    const k = index.get(values[i] ?? '');
    if (k === undefined) {
      skipped++;
      return;
    }
    rows.push({ id: example.id, input: { text: exampleText(example) }, target: k });
  });
  return { task: 'classification', rows, labels, skipped };
}
