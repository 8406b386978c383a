/**
 * Regenerates `slice/` from the original WASSA release files: whole conversations, picked by
 * a seeded hash of their id, copied byte for byte (raw records) so the slice keeps every
 * quirk of the originals (backslash escapes, string-sorted turns, headerless gold files).
 *
 *   npx tsx --conditions=attune-source plugins/sources/wassa/make-slice.ts /work/shared/data/wassa_conv_turn
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRawRecords, seededRank, writeLines, writeRawRecords } from 'attune/data';
import { quoteEscapeFor } from './load-split.js';

const seed = 'attune-wassa-slice-v1';

interface SliceSpec {
  release: '2023' | '2024';
  data: string;
  gold?: string;
  conversations: number;
}

const specs: SliceSpec[] = [
  { release: '2024', data: 'trac2_CONVT_train.csv', conversations: 10 },
  { release: '2024', data: 'trac2_CONVT_dev.csv', gold: 'goldstandard_CONVT.tsv', conversations: 4 },
  { release: '2024', data: 'goldstandard_CONVT.csv', conversations: 4 },
  { release: '2023', data: 'WASSA23_conv_level_with_labels_train.tsv', conversations: 8 },
  { release: '2023', data: 'WASSA23_conv_level_dev.tsv', gold: 'goldstandard_CONV_dev.tsv', conversations: 4 },
  { release: '2023', data: 'WASSA23_conv_level_test.tsv', conversations: 3 },
];

async function sliceOne(from: string, to: string, spec: SliceSpec): Promise<string> {
  const dir = `wassa${spec.release}`;
  const path = join(from, dir, spec.data);
  const { header, rows } = readRawRecords(path, { escape: quoteEscapeFor(path) });
  const rank = (id: string) => seededRank(seed, id);
  const conversationColumn = header.record.indexOf('conversation_id');
  const conversations = [...new Set(rows.map((r) => r.record[conversationColumn]!))];
  const chosen = new Set(conversations.sort((a, b) => rank(a).localeCompare(rank(b))).slice(0, spec.conversations));
  const keep = rows.map((r, i) => ({ r, i })).filter(({ r }) => chosen.has(r.record[conversationColumn]!));
  await writeRawRecords(join(to, dir, spec.data), header, keep.map(({ r }) => r));
  if (spec.gold) {
    // Headerless and row-aligned with the data file: row i of the data is line i of the gold file.
    const goldLines = readFileSync(join(from, dir, spec.gold), 'utf8').split(/\r?\n/);
    const gold = keep.map(({ i }) => {
      const line = goldLines[i];
      if (line === undefined) throw new Error(`${spec.gold} has fewer lines than ${spec.data} has rows; they must be row-aligned`);
      return line;
    });
    await writeLines(join(to, dir, spec.gold), gold);
  }
  return `${dir}/${spec.data}: ${chosen.size} conversations, ${keep.length} turns`;
}

async function main(): Promise<void> {
  const from = process.argv[2];
  if (!from) throw new Error('usage: make-slice.ts <folder holding wassa2023/ and wassa2024/>');
  const to = fileURLToPath(new URL('./slice', import.meta.url));
  for (const spec of specs) console.log(await sliceOne(from, to, spec));
}

await main();
