/**
 * Corrupted copies of the shipped slices for `attune data inspect`: bytes that are not UTF-8,
 * NUL bytes, huge rows, truncations, empty and header-only files, folders where files belong,
 * missing split columns. A defect must be an error or show up in the report.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromPackageRoot } from '../../../core/base/paths.js';
import type { SplitReport } from '../../../core/data/inspect/inspect-split.js';
import type { Chooser } from './random.js';
import type { FuzzCase } from './run-cases.js';

/** Each source and the slice files it reads (others in the folder are documentation). */
const sources: Record<string, string[]> = {
  ed: ['train.csv', 'valid.csv', 'test.csv'],
  esconv: ['train.json', 'valid.json', 'test.json'],
  goemotions: ['train.tsv', 'dev.tsv', 'test.tsv'],
  counselchat: ['20200325_counsel_chat.csv'],
  annomi: ['AnnoMI-simple.csv'],
  wassa: ['wassa2024/trac2_CONVT_train.csv', 'wassa2024/trac2_CONVT_dev.csv'],
};

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) copyTree(path, join(to, name));
    else if (!name.endsWith('.md')) copyFileSync(path, join(to, name));
  }
}

/** Reports that show a defect: a bad row, a warning. */
export function dataReported(stdout: string): boolean {
  try {
    return (JSON.parse(stdout) as SplitReport[]).some((r) => r.badRows.count > 0 || r.warnings.length > 0);
  } catch {
    return false;
  }
}

/** A position inside the line that starts at a random line boundary past the header. */
function insideARow(choose: Chooser, text: string): number {
  const firstBreak = text.indexOf('\n');
  const lineStarts: number[] = [];
  for (let i = firstBreak; i >= 0 && i < text.length - 2; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const start = lineStarts.length ? choose.pick(lineStarts) : 0;
  // A few characters in, so the defect lands in the row's first field, which every source reads.
  return Math.min(start + 2 + choose.int(6), text.length - 1);
}

export function dataCases(choose: Chooser, dir: string, count: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const source = choose.pick(Object.keys(sources));
    const root = join(dir, `d${i}-${source}`);
    copyTree(fromPackageRoot('plugins', 'sources', source, 'slice'), root);
    const name = choose.pick(sources[source]!);
    const file = join(root, name);
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    let expect: FuzzCase['expect'] = 'report';
    const kind = choose.int(9);
    switch (kind) {
      case 0: {
        // Latin-1 bytes inside a row: not UTF-8.
        const at = insideARow(choose, text);
        writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9, 0xff, 0xfe]), bytes.subarray(at)]));
        break;
      }
      case 1: {
        const at = insideARow(choose, text);
        writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]));
        break;
      }
      case 2: {
        // A row far past the limit: 1.5 M characters without a newline or a quote.
        const at = insideARow(choose, text);
        writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from('lonely '.repeat(220_000)), bytes.subarray(at)]));
        break;
      }
      case 3:
        writeFileSync(file, bytes.subarray(0, choose.int(bytes.length)));
        expect = 'any';
        break;
      case 4:
        writeFileSync(file, '');
        break;
      case 5:
        writeFileSync(file, bytes.subarray(0, bytes.indexOf(0x0a) + 1));
        // ESConv's files have no header: a first line is a whole dialogue.
        expect = source === 'esconv' ? 'any' : 'report';
        break;
      case 6:
        rmSync(file);
        mkdirSync(file);
        expect = 'reject';
        break;
      case 7: {
        // Random bytes in place of a block of the file.
        const at = choose.int(bytes.length);
        const noise = Buffer.from(Array.from({ length: 64 }, () => choose.int(256)));
        writeFileSync(file, Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(Math.min(bytes.length, at + 64))]));
        expect = 'any';
        break;
      }
      default:
        if (source === 'counselchat') {
          writeFileSync(file, text.replace(/,split\r?\n/, '\n').replace(/,(train|val|test)(\r?\n)/g, '$2'), 'latin1');
          expect = 'reject';
        } else {
          rmSync(file);
          expect = 'any';
        }
    }
    cases.push({
      id: `data-${i}-${source}-k${kind}`,
      family: 'data',
      argv: ['data', 'inspect', source, '--path', root, '--json'],
      expect,
      reported: dataReported,
      locate: [relative(dir, root), root],
    });
  }
  return cases;
}
