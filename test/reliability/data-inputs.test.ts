/**
 * Data that would corrupt an experiment (leaking splits, vanished splits, duplicates, bytes
 * that are not text) is an error or a loud warning, and one hostile row costs bounded work.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import { RowIssueCollector } from '../../core/data/row-issues.js';
import { readDelimited } from '../../core/data/formats/delimited.js';
import { readJsonRecords } from '../../core/data/formats/json.js';
import type { SplitReport } from '../../core/data/inspect/inspect-split.js';
import { tempDir } from '../kernel/helpers.js';
import { attune, STACK_FRAME } from '../cli/run-in-process.js';

const slice = (source: string, ...file: string[]): string => fromPackageRoot('plugins', 'sources', source, 'slice', ...file);

function copySlice(source: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(slice(source))) if (/\.(csv|tsv|json|txt)$/.test(name)) copyFileSync(slice(source, name), join(to, name));
  return to;
}

async function inspect(args: string[]): Promise<SplitReport[]> {
  const r = await attune(['data', 'inspect', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SplitReport[];
}

async function refused(args: string[], pattern: RegExp): Promise<void> {
  const r = await attune(args);
  assert.equal(r.code, 1, `expected a user error, got exit ${r.code}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, STACK_FRAME);
  assert.match(r.stderr, pattern);
}

describe('splits that would leak or vanish', () => {
  test('CounselChat in its original layout without the split column is an error; the file on its own is train only', async () => {
    const dir = tempDir();
    const [header, ...rows] = readFileSync(slice('counselchat', '20200325_counsel_chat.csv'), 'utf8').split('\n');
    assert.ok(header!.endsWith(',split'));
    // The slice's split column is its last, and no row of it spans lines at the split value.
    const withoutSplit = [header!.replace(/,split$/, ''), ...rows.map((row) => row.replace(/,(train|val|test)$/, ''))].join('\n');
    writeFileSync(join(dir, '20200325_counsel_chat.csv'), withoutSplit);
    await refused(['data', 'inspect', 'counselchat', '--path', dir], /has no 'split' column[\s\S]*every split would hold every answer/);
    const reports = await inspect(['counselchat', '--path', join(dir, '20200325_counsel_chat.csv')]);
    assert.deepEqual(reports.map((r) => r.split), ['train']);
  });

  test('held-out examples that also occur in train are reported', async () => {
    const dir = copySlice('ed', tempDir());
    const train = readFileSync(join(dir, 'train.csv'), 'utf8').split('\n');
    const firstConversation = train.slice(1).filter((line) => line.startsWith('hit:0_conv:1,'));
    writeFileSync(join(dir, 'valid.csv'), `${readFileSync(join(dir, 'valid.csv'), 'utf8').trimEnd()}\n${firstConversation.join('\n')}\n`);
    const reports = await inspect(['ed', '--path', dir]);
    const validation = reports.find((r) => r.split === 'validation')!;
    assert.match(validation.warnings.join('\n'), /\d+ of \d+ 'validation' examples also occur in the train split[\s\S]*ed:validation:hit:0_conv:1/);
    assert.deepEqual(reports.find((r) => r.split === 'train')!.warnings, []);
  });

  test('a missing split file is reported; a split file that is a folder is an error', async () => {
    const missing = copySlice('ed', tempDir());
    const { rmSync } = await import('node:fs');
    rmSync(join(missing, 'valid.csv'));
    const reports = await inspect(['ed', '--path', missing]);
    assert.match(reports[0]!.warnings.join('\n'), /no 'validation' split found \(only train, test\)/);
    mkdirSync(join(missing, 'valid.csv'));
    await refused(['data', 'inspect', 'ed', '--path', missing], /valid\.csv is a folder where a data file was expected/);
  });

  test('an empty folder and an empty --path are errors; empty and header-only files warn', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    await refused(['data', 'inspect', 'counselchat', '--path', join(dir, 'empty')], /found no split to read/);
    await refused(['data', 'inspect', 'counselchat', '--path', ''], /key 'path': an empty path names no file or folder/);
    writeFileSync(join(dir, 'train.csv'), '');
    writeFileSync(join(dir, 'headers.csv'), 'questionID,questionTitle,questionText,answerText,upvotes\n');
    for (const file of ['train.csv', 'headers.csv']) {
      const [report] = await inspect(['counselchat', '--path', join(dir, file)]);
      assert.equal(report!.examples, 0);
      assert.match(report!.warnings.join('\n'), /no examples in split 'train': the files hold no data rows/);
    }
  });
});

describe('rows that are not what they seem', () => {
  test('duplicate examples are counted and reported; duplicates: drop drops them', async () => {
    const dir = copySlice('goemotions', tempDir());
    const lines = readFileSync(join(dir, 'train.tsv'), 'utf8').trimEnd().split('\n');
    // The same text and labels under a new comment id: the same example for training.
    // Single-label rows (the source keeps only those by default) under new comment ids.
    const originals = lines.filter((line) => !line.split('\t')[1]!.includes(',')).slice(0, 3);
    const copies = originals.map((line, i) => line.replace(/\t[^\t]+$/, `\tcopy${i}`));
    writeFileSync(join(dir, 'train.tsv'), `${[...lines, ...copies].join('\n')}\n`);
    const before = (await inspect(['goemotions', '--split', 'train']))[0]!;
    const shipped = Number(/(\d+) duplicate/.exec(before.warnings.join('\n'))?.[1] ?? 0);
    const [kept] = await inspect(['goemotions', '--path', dir, '--split', 'train']);
    assert.equal(kept!.examples, before.examples + 3);
    assert.match(kept!.warnings.join('\n'), new RegExp(`${shipped + 3} duplicate examples .* kept .*goemotions:train:copy0:0 repeats goemotions:train:${originals[0]!.split('\t')[2]}:0`));
    const [dropped] = await inspect(['goemotions', '--path', dir, '--split', 'train', '--duplicates', 'drop']);
    assert.equal(dropped!.examples, before.examples - shipped);
    assert.match(dropped!.warnings.join('\n'), /duplicate examples .* dropped/);
  });

  test('invalid UTF-8 and NUL bytes are bad rows, located, in CSV/TSV, JSON Lines and JSON arrays', () => {
    const dir = tempDir();
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    const files = {
      'a.tsv': Buffer.concat([Buffer.from('text\tlabel\nfine\t1\n'), latin1, Buffer.from('\t2\nnul\0here\t3\n')]),
      'b.jsonl': Buffer.concat([Buffer.from('{"t":"fine"}\n{"t":"'), latin1, Buffer.from('"}\n{"t":"nul\\u0000"}\n')]),
      'c.json': Buffer.concat([Buffer.from('[{"t":"fine"},{"t":"'), latin1, Buffer.from('"}]')]),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    const tsv = new RowIssueCollector('skip');
    assert.equal(readDelimited(join(dir, 'a.tsv'), { columns: 'first-line', issues: tsv }).records.length, 1);
    assert.deepEqual(tsv.issues.map((i) => [i.row, /UTF-8/.test(i.reason) ? 'utf8' : /NUL/.test(i.reason) ? 'nul' : i.reason]), [[3, 'utf8'], [4, 'nul']]);
    const jsonl = new RowIssueCollector('skip');
    assert.equal(readJsonRecords(join(dir, 'b.jsonl'), jsonl).length, 1);
    assert.deepEqual(jsonl.issues.map((i) => [i.row, /UTF-8/.test(i.reason) ? 'utf8' : /NUL/.test(i.reason) ? 'nul' : i.reason]), [[2, 'utf8'], [3, 'nul']]);
    const array = new RowIssueCollector('skip');
    assert.equal(readJsonRecords(join(dir, 'c.json'), array).length, 1);
    assert.deepEqual(array.issues.map((i) => i.row), [2]);
  });

  test('a huge row is a bad row under a configurable limit, in bounded time and memory', { timeout: 60_000 }, async () => {
    const dir = copySlice('goemotions', tempDir());
    const huge = `${'I feel so alone. '.repeat(3_000_000)}\t25\thuge1\n`; // 51 MB in one line
    writeFileSync(join(dir, 'train.tsv'), readFileSync(join(dir, 'train.tsv'), 'utf8') + huge);
    const [report] = await inspect(['goemotions', '--path', dir, '--split', 'train']);
    assert.equal(report!.badRows.count, 1);
    assert.match(report!.badRows.byReason[0]!.reason, /51,000,\d{3} characters long, over the limit of 1,000,000 \(raise the source option maxRowChars/);
    // Raised past a long (but not absurd) row, the limit lets it through.
    const longRow = `${'I feel so alone. '.repeat(70_000)}\t25\tlong1\n`; // 1.19 M characters
    writeFileSync(join(dir, 'train.tsv'), readFileSync(slice('goemotions', 'train.tsv'), 'utf8') + '\n' + longRow);
    assert.equal((await inspect(['goemotions', '--path', dir, '--split', 'train']))[0]!.badRows.count, 1);
    assert.equal((await inspect(['goemotions', '--path', dir, '--split', 'train', '--max-row-chars', '2000000']))[0]!.badRows.count, 0);
    // The limit is the source's option: a small one makes ordinary rows bad too.
    const collector = new RowIssueCollector('skip', 40);
    const table = readDelimited(slice('goemotions', 'dev.tsv'), { columns: ['text', 'labels', 'id'], lineOriented: true, issues: collector });
    assert.ok(collector.count > 0 && table.records.every((r) => Object.values(r.value).join('').length <= 40));
  });

  test('a huge quoted CSV field stops at the limit instead of being parsed whole', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), `a,b\n1,"${'x'.repeat(5_000)}"\n2,ok\n`);
    const issues = new RowIssueCollector('skip', 1_000);
    const table = readDelimited(join(dir, 'x.csv'), { columns: 'first-line', issues });
    assert.deepEqual(table.records.map((r) => r.value.a), ['2']);
    assert.equal(issues.count, 1);
  });
});

describe('inside a run', () => {
  test('every split a source loads reports its skipped rows and warnings as run warnings', async () => {
    const { withLoadWarnings } = await import('../../core/kernel/runs/source-load-warnings.js');
    const warnings: string[] = [];
    const source = withLoadWarnings(
      {
        splits: ['train'],
        load: async () => ({ examples: [], issues: [{ file: 'f.csv', row: 7, field: 'text', reason: 'empty text' }, { file: 'f.csv', row: 9, reason: 'x' }], files: ['f.csv'], warnings: ['no examples in split \'train\''] }),
      },
      'sources/mine',
      (m) => warnings.push(m),
    );
    assert.deepEqual(source.splits, ['train']);
    await source.load({ split: 'train' });
    assert.deepEqual(warnings, [
      "sources/mine (train): 2 malformed rows skipped; the first: f.csv:7 (text): empty text (attune data inspect lists them all)",
      "sources/mine (train): no examples in split 'train'",
    ]);
  });
});

describe('files that must line up', () => {
  test('a WASSA gold file that does not line up with its data file is a located error', async () => {
    const dir = tempDir();
    const root = join(dir, 'wassa2024');
    mkdirSync(root);
    for (const name of readdirSync(slice('wassa', 'wassa2024'))) copyFileSync(slice('wassa', 'wassa2024', name), join(root, name));
    const gold = join(root, 'goldstandard_CONVT.tsv');
    const lines = readFileSync(gold, 'utf8').trimEnd().split('\n');
    writeFileSync(gold, `${lines.slice(0, -2).join('\n')}\n`);
    await refused(['data', 'inspect', 'wassa', '--path', root, '--split', 'validation'], new RegExp(`goldstandard_CONVT\\.tsv has ${lines.length - 2} rows but its data file has \\d+; the gold file must be row-aligned`));
  });
});
