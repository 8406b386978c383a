/**
 * File handling for the plugins' `make-slice.ts` scripts, which rebuild a shipped slice from
 * an original release. Records are copied byte for byte, so a slice keeps every quirk of the
 * originals (escapes, quoting, row order) that the source must cope with; picks are seeded
 * (see `formats/sample.ts`), so a rebuild gives the same bytes; files are written atomically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { writeFileAtomic } from '../../base/atomic-write.js';
import { seededSample } from '../formats/sample.js';

/**
 * The command line of a sampling make-slice script, `[from] [seed]`: the original release
 * (default `defaultFrom`), the seed (default 20240601), and `slice/` beside the script.
 */
export function sliceCommandLine(scriptUrl: string, defaultFrom: string, args = process.argv.slice(2)): { from: string; seed: number; sliceDir: string } {
  const seedText = args[1] ?? '20240601';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`make-slice: the seed must be an integer, got '${seedText}' (usage: make-slice.ts [from] [seed])`);
  return { from: args[0] ?? defaultFrom, seed, sliceDir: fileURLToPath(new URL('./slice', scriptUrl)) };
}

/** A parsed CSV/TSV record with its exact text, which always ends with a newline. */
export interface RawRecord {
  record: string[];
  raw: string;
}

/**
 * The header and rows of a CSV/TSV file, each with its raw text. Delimiter by extension;
 * `escape` as in `readDelimited` (`'\\'` for WASSA 2024). Column counts are not checked:
 * a malformed row is copied as it is, for the source to report.
 */
export function readRawRecords(path: string, options: { escape?: string } = {}): { header: RawRecord; rows: RawRecord[] } {
  const [header, ...rows] = parse(readFileSync(path, 'utf8'), {
    delimiter: path.toLowerCase().endsWith('.tsv') ? '\t' : ',',
    escape: options.escape ?? '"',
    raw: true,
    relax_column_count: true,
  }) as unknown as RawRecord[];
  if (!header) throw new Error(`${path} is empty: expected a header row`);
  // The last record of a file may lack its newline; a slice puts records back to back.
  const ended = (r: RawRecord): RawRecord => (r.raw.endsWith('\n') ? r : { ...r, raw: `${r.raw}\n` });
  return { header: ended(header), rows: rows.map(ended) };
}

export async function writeRawRecords(path: string, header: RawRecord, rows: readonly RawRecord[]): Promise<void> {
  await writeFileAtomic(path, header.raw + rows.map((r) => r.raw).join(''));
}

/** The non-blank lines of a line-per-record file (JSON Lines, the headerless GoEmotions TSV, ED's unquoted CSV). */
export function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFileAtomic(path, `${lines.join('\n')}\n`);
}

/** Copies a seeded sample of `size` lines of `from/name` to `to/name`, in file order. */
export async function sampleLines(args: { from: string; to: string; name: string; size: number; seed: number }): Promise<{ sample: string[]; total: number }> {
  const lines = readLines(join(args.from, args.name));
  const sample = seededSample(lines, args.size, args.seed);
  await writeLines(join(args.to, args.name), sample);
  return { sample, total: lines.length };
}
