/**
 * Rebuilds slice/ from the HF-layout ESConv split files: a seeded sample of dialogs (lines)
 * per split, copied byte for byte. Also prints the strategy spelling census of every file
 * found (split files and FailedESConv.json) that core/data/labels/README.md documents.
 *
 *   npx tsx --conditions=attune-source plugins/sources/esconv/make-slice.ts [/path/to/esconv] [seed]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeEsconvStrategy, readLines, sampleLines, sliceCommandLine } from 'attune/data';

const sizes = { 'train.json': 100, 'valid.json': 25, 'test.json': 25 } as const;

interface Turn {
  strategy?: string;
  annotation?: { strategy?: string };
}

function census(from: string): void {
  const counts = new Map<string, number>();
  const count = (file: string, turns: Turn[]): void => {
    for (const turn of turns) {
      const strategy = turn.strategy ?? turn.annotation?.strategy;
      if (strategy === undefined) continue;
      const key = `${file}\t${strategy}\t→ ${normalizeEsconvStrategy(strategy) ?? 'UNKNOWN'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  };
  for (const name of Object.keys(sizes)) {
    for (const line of readLines(join(from, name))) count(name, (JSON.parse(line) as { dialog: Turn[] }).dialog);
  }
  for (const name of ['ESConv.json', 'FailedESConv.json']) {
    const file = join(from, name);
    if (!existsSync(file)) continue;
    for (const dialog of JSON.parse(readFileSync(file, 'utf8')) as { dialog: Turn[] }[]) count(name, dialog.dialog);
  }
  console.log('strategy spelling census (file, spelling, normalized, turns):');
  for (const [key, n] of [...counts.entries()].sort()) console.log(`  ${key}\t${n}`);
}

async function main(): Promise<void> {
  const { from, seed, sliceDir } = sliceCommandLine(import.meta.url, '/work/shared/data/esconv');
  for (const [name, size] of Object.entries(sizes)) {
    const { sample, total } = await sampleLines({ from, to: sliceDir, name, size, seed });
    const sysTurns = sample.reduce((n, l) => n + (JSON.parse(l) as { dialog: { speaker: string }[] }).dialog.filter((t) => t.speaker === 'sys').length, 0);
    console.log(`${name}: ${sample.length} of ${total} dialogs, ${sysTurns} supporter turns`);
  }
  census(from);
}

await main();
