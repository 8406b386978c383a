/**
 * Rebuilds slice/ from the original GoEmotions release: a seeded sample of lines per split,
 * copied byte for byte (CSV-style quoting kept), plus emotions.txt.
 *
 *   npx tsx --conditions=attune-source plugins/sources/goemotions/make-slice.ts [/path/to/goemotions] [seed]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from 'attune';
import { sampleLines, sliceCommandLine } from 'attune/data';

const sizes = { 'train.tsv': 3000, 'dev.tsv': 500, 'test.tsv': 500 } as const;

async function main(): Promise<void> {
  const { from, seed, sliceDir } = sliceCommandLine(import.meta.url, '/work/shared/data/goemotions');
  for (const [name, size] of Object.entries(sizes)) {
    const { sample, total } = await sampleLines({ from, to: sliceDir, name, size, seed });
    const multi = sample.filter((l) => (l.split('\t')[1] ?? '').includes(',')).length;
    console.log(`${name}: ${sample.length} of ${total} rows (${multi} multi-label)`);
  }
  await writeFileAtomic(join(sliceDir, 'emotions.txt'), readFileSync(join(from, 'emotions.txt')));
}

await main();
