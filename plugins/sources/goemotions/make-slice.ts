/**
 * Rebuilds slice/ from the original GoEmotions release: a seeded sample of lines per split,
 * copied byte for byte (CSV-style quoting kept), plus emotions.txt.
 *
 *   npx tsx plugins/sources/goemotions/make-slice.ts [/path/to/goemotions] [seed]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededSample } from '../../../core/data/formats/index.js';
import { writeFileAtomic } from '../../../core/kernel/runs/atomic-write.js';

const sizes = { 'train.tsv': 3000, 'dev.tsv': 500, 'test.tsv': 500 } as const;

async function main(): Promise<void> {
  const from = process.argv[2] ?? '/work/shared/data/goemotions';
  const seed = Number(process.argv[3] ?? 20240601);
  const sliceDir = fileURLToPath(new URL('./slice', import.meta.url));
  for (const [name, size] of Object.entries(sizes)) {
    const lines = readFileSync(join(from, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const sample = seededSample(lines, size, seed);
    await writeFileAtomic(join(sliceDir, name), `${sample.join('\n')}\n`);
    const multi = sample.filter((l) => (l.split('\t')[1] ?? '').includes(',')).length;
    console.log(`${name}: ${sample.length} of ${lines.length} rows (${multi} multi-label)`);
  }
  await writeFileAtomic(join(sliceDir, 'emotions.txt'), readFileSync(join(from, 'emotions.txt')));
}

await main();
