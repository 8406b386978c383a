/**
 * Rebuilds slice/ from the EmpatheticDialogues train prefix (the only ED data in the
 * shared store): conversations are split by seed into train / valid / test, and their
 * lines are copied byte for byte (header kept, `_comma_` escapes kept) in file order.
 *
 *   npx tsx --conditions=attune-source plugins/sources/ed/make-slice.ts [/path/to/train_prefix.csv] [seed]
 */
import { join } from 'node:path';
import { readLines, seededShuffle, sliceCommandLine, writeLines } from 'attune/data';

/** Conversations per split file; the prefix holds 30. */
const plan = [
  ['valid.csv', 5],
  ['test.csv', 5],
  ['train.csv', Infinity],
] as const;

async function main(): Promise<void> {
  const { from, seed, sliceDir } = sliceCommandLine(import.meta.url, '/work/shared/data/empathetic_dialogues/train_prefix.csv');
  const [header, ...lines] = readLines(from);
  if (header === undefined) throw new Error(`${from} is empty: expected the header line and utterance rows`);
  const convOf = (line: string): string => line.slice(0, line.indexOf(','));
  const convIds = [...new Set(lines.map(convOf))];
  const shuffled = seededShuffle(convIds, seed);
  let taken = 0;
  for (const [name, count] of plan) {
    const chosen = new Set(shuffled.slice(taken, taken + count));
    taken += chosen.size;
    const kept = lines.filter((line) => chosen.has(convOf(line)));
    await writeLines(join(sliceDir, name), [header, ...kept]);
    console.log(`${name}: ${chosen.size} conversations, ${kept.length} utterances`);
  }
}

await main();
