/**
 * Regenerates `slice/` (AnnoMI-simple.csv and AnnoMI-full.csv for the same transcripts) from
 * the original release. Transcripts are chosen per split as the source assigns them (seed 0,
 * ratios 0.8/0.1/0.1): low-quality ones by a seeded sample, each with a high-quality
 * transcript of an overlapping topic in the same split where one exists (so quality
 * preference pairs exist), transcripts of at most 120 utterances,
 * plus one transcript annotated by several annotators (to exercise the majority vote).
 * Rows are copied byte for byte.
 *
 *   npx tsx --conditions=attune-source plugins/sources/annomi/make-slice.ts /work/shared/data/annomi
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRawRecords, seededSample, writeRawRecords } from 'attune/data';
import type { RawRecord } from 'attune/data';
import { transcriptSplit } from './split.js';

const seed = 2023;
const lowPerSplit: Record<string, number> = { train: 2, validation: 1, test: 1 };
const maxUtterances = 120;

interface TranscriptInfo {
  id: string;
  quality: string;
  topics: string[];
  utterances: number;
  annotated: number;
}

function describeTranscripts(header: RawRecord, rows: RawRecord[]): TranscriptInfo[] {
  const col = (name: string) => header.record.indexOf(name);
  const byId = new Map<string, TranscriptInfo>();
  for (const r of rows) {
    const id = r.record[col('transcript_id')]!;
    const info = byId.get(id) ?? {
      id,
      quality: r.record[col('mi_quality')]!,
      topics: r.record[col('topic')]!.split(';').map((t) => t.trim()),
      utterances: 0,
      annotated: 0,
    };
    info.utterances++;
    byId.set(id, info);
  }
  return [...byId.values()];
}

function choose(simple: TranscriptInfo[], fullCounts: Map<string, number>): Set<string> {
  const chosen = new Set<string>();
  const short = simple.filter((t) => t.utterances <= maxUtterances);
  for (const [split, lows] of Object.entries(lowPerSplit)) {
    const inSplit = short.filter((t) => transcriptSplit(t.id, 0, { train: 0.8, validation: 0.1, test: 0.1 }) === split);
    const partnersOf = (low: TranscriptInfo) => inSplit.filter((h) => h.quality === 'high' && h.topics.some((x) => low.topics.includes(x)));
    const paired = inSplit.filter((t) => t.quality === 'low' && partnersOf(t).length > 0);
    // Validation (seed 0) has no low-quality transcript whose topic a high-quality one shares: take one of each anyway.
    const lowOnes = seededSample(paired.length > 0 ? paired : inSplit.filter((t) => t.quality === 'low'), lows, seed);
    for (const low of lowOnes) {
      chosen.add(low.id);
      const partners = partnersOf(low);
      for (const high of seededSample(partners.length > 0 ? partners : inSplit.filter((h) => h.quality === 'high'), 1, seed)) chosen.add(high.id);
    }
  }
  const multi = simple.filter((t) => (fullCounts.get(t.id) ?? 0) > t.utterances).sort((a, b) => a.utterances - b.utterances);
  if (multi[0]) chosen.add(multi[0].id);
  return chosen;
}

async function writeSubset(path: string, header: RawRecord, rows: RawRecord[], chosen: Set<string>): Promise<number> {
  const col = header.record.indexOf('transcript_id');
  const kept = rows.filter((r) => chosen.has(r.record[col]!));
  await writeRawRecords(path, header, kept);
  return kept.length;
}

async function main(): Promise<void> {
  const from = process.argv[2];
  if (!from) throw new Error('usage: make-slice.ts <folder holding AnnoMI-simple.csv and AnnoMI-full.csv>');
  const simple = readRawRecords(join(from, 'AnnoMI-simple.csv'));
  const full = readRawRecords(join(from, 'AnnoMI-full.csv'));
  const fullCounts = new Map<string, number>();
  const fullCol = full.header.record.indexOf('transcript_id');
  for (const r of full.rows) fullCounts.set(r.record[fullCol]!, (fullCounts.get(r.record[fullCol]!) ?? 0) + 1);
  const infos = describeTranscripts(simple.header, simple.rows);
  const chosen = choose(infos, fullCounts);
  const to = fileURLToPath(new URL('./slice', import.meta.url));
  console.log('simple rows', await writeSubset(join(to, 'AnnoMI-simple.csv'), simple.header, simple.rows, chosen));
  console.log('full rows', await writeSubset(join(to, 'AnnoMI-full.csv'), full.header, full.rows, chosen));
  for (const t of infos.filter((i) => chosen.has(i.id))) {
    console.log(`transcript ${t.id}: ${t.quality}, ${transcriptSplit(t.id, 0, { train: 0.8, validation: 0.1, test: 0.1 })}, ${t.utterances} utterances, ${fullCounts.get(t.id)} full rows, topic ${t.topics.join('; ')}`);
  }
}

await main();
