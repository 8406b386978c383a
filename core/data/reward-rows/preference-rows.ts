/** Chosen/rejected rows from `preference` examples: (last user turn, chosen) over (last user turn, rejected). */
import type { CanonicalExample } from '../example.js';
import { lastUserContent } from './example-text.js';
import type { PairRow, RewardRows } from './rows.js';

export function preferenceRows(examples: readonly CanonicalExample[]): RewardRows {
  const rows: PairRow[] = [];
  let skipped = 0;
  for (const example of examples) {
    const user = lastUserContent(example.messages);
    if (example.kind !== 'preference' || !example.preference || user === undefined) {
      skipped++;
      continue;
    }
    rows.push({ id: example.id, chosen: { text: user, pair: example.preference.chosen }, rejected: { text: user, pair: example.preference.rejected } });
  }
  return { task: 'preference', rows, labels: ['reward'], skipped };
}
