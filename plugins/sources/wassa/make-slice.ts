/**
 * Regenerates `slice/` from the original WASSA release files: whole conversations, picked by
 * a seeded hash of their id, copied byte for byte (raw records) so the slice keeps every
 * quirk of the originals (backslash escapes, string-sorted turns, headerless gold files).
 *
 *   npx tsx plugins/sources/wassa/make-slice.ts /work/shared/data/wassa_conv_turn
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

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

interface RawRecord {
  record: string[];
  raw: string;
}

function readRaw(path: string): RawRecord[] {
  const delimiter = path.endsWith('.tsv') ? '\t' : ',';
  const escape = /trac2_CONVT_|goldstandard_CONVT\.csv/.test(path) ? '\\' : '"';
  const rows = parse(readFileSync(path, 'utf8'), { delimiter, escape, raw: true, relax_column_count: true }) as unknown as RawRecord[];
  // The last record of a file may lack its newline; the slice puts records back to back.
  return rows.map((r) => (r.raw.endsWith('\n') ? r : { ...r, raw: `${r.raw}\n` }));
}

function rank(id: string): string {
  return createHash('sha256').update(`${seed}:${id}`).digest('hex');
}

function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

function sliceOne(from: string, to: string, spec: SliceSpec): string {
  const dir = `wassa${spec.release}`;
  const [header, ...rows] = readRaw(join(from, dir, spec.data));
  if (!header) throw new Error(`${spec.data} is empty`);
  const conversationColumn = header.record.indexOf('conversation_id');
  const conversations = [...new Set(rows.map((r) => r.record[conversationColumn]!))];
  const chosen = new Set(conversations.sort((a, b) => rank(a).localeCompare(rank(b))).slice(0, spec.conversations));
  const keep = rows.map((r, i) => ({ r, i })).filter(({ r }) => chosen.has(r.record[conversationColumn]!));
  writeAtomic(join(to, dir, spec.data), header.raw + keep.map(({ r }) => r.raw).join(''));
  if (spec.gold) {
    const goldLines = readFileSync(join(from, dir, spec.gold), 'utf8').split(/\r?\n/);
    writeAtomic(join(to, dir, spec.gold), keep.map(({ i }) => `${goldLines[i]}\n`).join(''));
  }
  return `${dir}/${spec.data}: ${chosen.size} conversations, ${keep.length} turns`;
}

function main(): void {
  const from = process.argv[2];
  if (!from) throw new Error('usage: make-slice.ts <folder holding wassa2023/ and wassa2024/>');
  const to = fileURLToPath(new URL('./slice', import.meta.url));
  for (const spec of specs) console.log(sliceOne(from, to, spec));
}

main();
