import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CanonicalExample } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { openSourceFiles, DataLayoutError } from '../../core/data/formats/index.js';
import { loadExamples, readRawRecords, repositoryPath, sampleLines, sliceCommandLine, splitFilesSource, writeRawRecords } from '../../core/data/source-kit/index.js';

function example(n: number, file = '/data/train.csv'): CanonicalExample {
  return {
    id: `t:train:${n}`,
    kind: 'classify',
    messages: [{ role: 'user', content: `text ${n}` }],
    labels: {},
    metadata: { topic: `topic ${n}` },
    provenance: { source: 't', split: 'train', file, row: n },
  };
}

const options = { badRows: 'skip' as const, exposeMetadata: [] };

describe('loadExamples', () => {
  test('stops pulling at the limit, so a lazy source reads no further', async () => {
    const pulled: number[] = [];
    const result = await loadExamples({ options, request: { split: 'train', limit: 2 }, files: ['/data/train.csv'] }, function* () {
      for (let n = 1; n <= 5; n++) {
        pulled.push(n);
        yield example(n);
      }
    });
    assert.deepEqual(result.examples.map((e) => e.provenance.row), [1, 2]);
    assert.deepEqual(pulled, [1, 2]);
    assert.deepEqual(result.files, ['/data/train.csv']);
  });

  test('limit 0 keeps nothing and reads nothing; no limit keeps all', async () => {
    let called = false;
    const none = await loadExamples({ options, request: { split: 'train', limit: 0 }, files: [] }, () => {
      called = true;
      return [example(1)];
    });
    assert.deepEqual([none.examples.length, called], [0, false]);
    const all = await loadExamples({ options, request: { split: 'train' }, files: [] }, async () => [example(1), example(2), example(3)]);
    assert.equal(all.examples.length, 3);
  });

  test('issues reach the result; exposeMetadata is applied to every example', async () => {
    const result = await loadExamples({ options: { badRows: 'skip', exposeMetadata: ['topic'] }, request: { split: 'train' }, files: [] }, async function* (issues) {
      issues.report({ file: '/data/train.csv', row: 4, reason: 'empty text' });
      yield example(1);
    });
    assert.deepEqual(result.issues, [{ file: '/data/train.csv', row: 4, reason: 'empty text' }]);
    assert.deepEqual(result.examples[0]!.messages[0], { role: 'system', content: 'Context:\ntopic: topic 1' });
  });

  test('nameFile names files in issues, provenance and files, and in the error the fail policy throws', async () => {
    const nameFile = (file: string) => file.replace('/data/', 'shown/');
    const result = await loadExamples({ options, request: { split: 'train' }, files: ['/data/train.csv'], nameFile }, (issues) => {
      issues.report({ file: '/data/train.csv', row: 3, field: 'text', reason: 'empty text' });
      return [example(1)];
    });
    assert.deepEqual(result.files, ['shown/train.csv']);
    assert.equal(result.examples[0]!.provenance.file, 'shown/train.csv');
    assert.deepEqual(result.issues, [{ file: 'shown/train.csv', row: 3, field: 'text', reason: 'empty text' }]);
    await assert.rejects(
      loadExamples({ options: { badRows: 'fail', exposeMetadata: [] }, request: { split: 'train' }, files: [], nameFile }, (issues) => {
        issues.report({ file: '/data/train.csv', row: 3, reason: 'empty text' });
        return [];
      }),
      (error: unknown) => error instanceof DataRowError && error.message.includes('shown/train.csv, row 3'),
    );
  });
});

test('repositoryPath names a shipped slice file by its place in the repository', () => {
  const file = fileURLToPath(new URL('../../plugins/sources/wassa/slice/wassa2024/trac2_CONVT_train.csv', import.meta.url));
  assert.equal(repositoryPath(file), 'plugins/sources/wassa/slice/wassa2024/trac2_CONVT_train.csv');
});

describe('splitFilesSource', () => {
  test('hands the canonical split and its files to the producer; a missing split rejects with the layout error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-kit-'));
    writeFileSync(join(dir, 'train.csv'), 'x');
    writeFileSync(join(dir, 'valid.csv'), 'x');
    const files = openSourceFiles({ path: dir, baseDir: '/', sliceDir: '/nowhere', layouts: [{ name: 'plain', splits: { train: ['train.csv'], validation: ['valid.csv'], test: ['test.csv'] } }] });
    const calls: [string, readonly string[]][] = [];
    const source = splitFilesSource(files, options, (split, paths) => {
      calls.push([split, paths]);
      return [example(1, paths[0])];
    });
    assert.deepEqual(source.splits, ['train', 'validation']);
    const { examples, files: read } = await source.load({ split: 'dev' });
    assert.deepEqual(calls, [['validation', [join(dir, 'valid.csv')]]]);
    assert.deepEqual(read, [join(dir, 'valid.csv')]);
    assert.equal(examples.length, 1);
    await assert.rejects(source.load({ split: 'test' }), DataLayoutError);
  });
});

describe('slice files (make-slice scripts)', () => {
  test('command line: [from] [seed] with defaults; the slice lies beside the script; a bad seed is refused', () => {
    const script = 'file:///repo/plugins/sources/x/make-slice.ts';
    assert.deepEqual(sliceCommandLine(script, '/data/x', []), { from: '/data/x', seed: 20240601, sliceDir: '/repo/plugins/sources/x/slice' });
    assert.deepEqual(sliceCommandLine(script, '/data/x', ['/other', '7']), { from: '/other', seed: 7, sliceDir: '/repo/plugins/sources/x/slice' });
    assert.throws(() => sliceCommandLine(script, '/data/x', ['/other', 'seven']), /seed must be an integer, got 'seven'/);
  });

  test('raw records keep their exact bytes (backslash escapes, multi-line fields); the last one gains its newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-slice-'));
    const text = 'id,text\n1,"say \\"hi\\""\n2,"two\nlines"\n3,last';
    writeFileSync(join(dir, 'in.csv'), text);
    const { header, rows } = readRawRecords(join(dir, 'in.csv'), { escape: '\\' });
    assert.deepEqual(header.record, ['id', 'text']);
    assert.deepEqual(rows.map((r) => r.record[1]), ['say "hi"', 'two\nlines', 'last']);
    await writeRawRecords(join(dir, 'out', 'out.csv'), header, rows.slice(1));
    assert.equal(readFileSync(join(dir, 'out', 'out.csv'), 'utf8'), 'id,text\n2,"two\nlines"\n3,last\n');
  });

  test('sampleLines copies the same seeded lines in file order on every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-slice-'));
    writeFileSync(join(dir, 'train.jsonl'), `${Array.from({ length: 50 }, (_, i) => `{"n":${i}}`).join('\n')}\n\n`);
    const first = await sampleLines({ from: dir, to: join(dir, 'a'), name: 'train.jsonl', size: 5, seed: 11 });
    const again = await sampleLines({ from: dir, to: join(dir, 'b'), name: 'train.jsonl', size: 5, seed: 11 });
    assert.equal(first.total, 50, 'blank lines are not records');
    assert.deepEqual(first.sample, again.sample);
    const written = readFileSync(join(dir, 'a', 'train.jsonl'), 'utf8');
    assert.equal(written, readFileSync(join(dir, 'b', 'train.jsonl'), 'utf8'));
    const numbers = written.trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y));
  });
});
