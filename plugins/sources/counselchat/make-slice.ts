/**
 * Regenerates `slice/20200325_counsel_chat.csv` from the original CSV: whole questions (all
 * their answers), picked per split by a seeded shuffle, half among questions with several
 * answers so preference pairs exist, rows copied byte for byte.
 *
 *   npx tsx --conditions=attune-source plugins/sources/counselchat/make-slice.ts /work/shared/data/counsel_chat/20200325_counsel_chat.csv
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRawRecords, seededSample, writeRawRecords } from 'attune/data';
import type { RawRecord } from 'attune/data';

const seed = 20200325;
const perSplit: Record<string, { multi: number; single: number }> = {
  train: { multi: 30, single: 20 },
  val: { multi: 8, single: 5 },
  test: { multi: 8, single: 5 },
};

async function main(): Promise<void> {
  const from = process.argv[2];
  if (!from) throw new Error('usage: make-slice.ts <path to 20200325_counsel_chat.csv>');
  const { header, rows } = readRawRecords(from);
  const column = (name: string) => header.record.indexOf(name);
  const [id, link, split] = [column('questionID'), column('questionLink'), column('split')];
  const questionOf = (r: RawRecord) => `${r.record[id]} ${r.record[link]}`;
  const answers = new Map<string, number>();
  for (const r of rows) answers.set(questionOf(r), (answers.get(questionOf(r)) ?? 0) + 1);

  const chosen = new Set<string>();
  for (const [name, counts] of Object.entries(perSplit)) {
    const questions = [...new Set(rows.filter((r) => r.record[split] === name).map(questionOf))];
    for (const q of seededSample(questions.filter((q) => answers.get(q)! > 1), counts.multi, seed)) chosen.add(q);
    for (const q of seededSample(questions.filter((q) => answers.get(q) === 1), counts.single, seed)) chosen.add(q);
  }
  const kept = rows.filter((r) => chosen.has(questionOf(r)));
  await writeRawRecords(join(fileURLToPath(new URL('./slice', import.meta.url)), '20200325_counsel_chat.csv'), header, kept);
  for (const name of Object.keys(perSplit)) {
    const inSplit = kept.filter((r) => r.record[split] === name);
    console.log(`${name}: ${new Set(inSplit.map(questionOf)).size} questions, ${inSplit.length} answers`);
  }
}

await main();
