/**
 * Broken model folders, output paths that cannot be written and flags given the wrong thing get
 * a located error (exit 1, no trace), never a TypeError, a NaN printed as a result, or a hang.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import { tempDir } from '../kernel/helpers.js';
import { attune, STACK_FRAME } from '../cli/run-in-process.js';

const tiny = fromPackageRoot('models', 'attune-tiny-qwen2');

async function refused(args: string[], pattern: RegExp): Promise<void> {
  const r = await attune(args);
  assert.equal(r.code, 1, `expected a user error, got exit ${r.code}:\n${r.stderr}${r.stdout}`);
  assert.doesNotMatch(r.stderr, STACK_FRAME);
  assert.doesNotMatch(r.stderr, /unexpected/);
  assert.match(r.stderr, pattern);
}

function copyModel(): string {
  const dir = join(tempDir(), 'model');
  cpSync(tiny, dir, { recursive: true });
  return dir;
}

/** Every float32 weight set to NaN, the header kept. */
function poisonWeights(dir: string): void {
  const file = join(dir, 'model.safetensors');
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || info.dtype !== 'F32') continue;
    for (let at = 8 + headerLength + info.data_offsets[0]; at < 8 + headerLength + info.data_offsets[1]; at += 4) bytes.writeFloatLE(Number.NaN, at);
  }
  writeFileSync(file, bytes);
}

describe('model folders', () => {
  test('NaN weights: generate and perplexity say so instead of a BigInt TypeError or printing NaN', async () => {
    const dir = copyModel();
    poisonWeights(dir);
    await refused(['generate', '--model', dir, '--prompt', 'hi', '--max-new-tokens', '2'], /the logits of .*model are not numbers \(NaN\) at new token 1 of row 0/);
    await refused(['perplexity', '--model', dir, '--text', 'hello there friend'], /the log-probabilities of .*model are not finite \(mean NLL NaN\)/);
  });

  test('a weights file that is a folder, an empty vocabulary and an eos id outside the vocabulary are named at load', async () => {
    const folderWeights = copyModel();
    rmSync(join(folderWeights, 'model.safetensors'));
    mkdirSync(join(folderWeights, 'model.safetensors'));
    await refused(['perplexity', '--model', folderWeights, '--text', 'hello there'], /model\.safetensors is a folder where a \.safetensors weights file was expected/);

    const emptyVocab = copyModel();
    const tokenizer = JSON.parse(readFileSync(join(emptyVocab, 'tokenizer.json'), 'utf8')) as { model: { vocab: object; merges: unknown[] }; added_tokens: unknown[] };
    Object.assign(tokenizer, { added_tokens: [] });
    Object.assign(tokenizer.model, { vocab: {}, merges: [] });
    writeFileSync(join(emptyVocab, 'tokenizer.json'), JSON.stringify(tokenizer));
    await refused(['generate', '--model', emptyVocab, '--prompt', 'hi'], /tokenizer\.json: the vocabulary is empty/);

    const badEos = copyModel();
    const generation = JSON.parse(readFileSync(join(badEos, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(badEos, 'generation_config.json'), JSON.stringify({ ...generation, eos_token_id: 99_999_999 }));
    await refused(['generate', '--model', badEos, '--prompt', 'hi'], /generation_config\.json: eos_token_id 99999999 is outside the vocabulary \(vocab_size \d+/);
  });
});

describe('number flags', () => {
  const cases: [string[], RegExp][] = [
    [['--temperature', 'abc'], /--temperature expects a number, got 'abc'/],
    [['--temperature', '-1'], /--temperature must be 0 \(greedy\) or more, got -1/],
    [['--top-p='], /--top-p needs a number after it, got nothing/],
    [['--top-p', '3'], /top_p must be in \(0, 1\], got 3/],
    [['--max-new-tokens'], /--max-new-tokens needs a number after it, got nothing/],
    [['--max-new-tokens', '--greedy'], /--max-new-tokens needs a number after it/],
    [['--seed', '1e3x'], /--seed expects a number, got '1e3x'/],
  ];
  for (const [flags, pattern] of cases) {
    test(`generate ${flags.join(' ')}`, async () => {
      await refused(['generate', '--model', 'attune-tiny-qwen2', '--prompt', 'hi', ...flags], pattern);
    });
  }

  test('negative numbers and exponents are numbers', async () => {
    const r = await attune(['generate', '--model', 'attune-tiny-qwen2', '--prompt', 'hi', '--max-new-tokens', '2e0', '--repetition-penalty', '1.1', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('output paths', () => {
  test('--out that is a file, under a file, or under /proc is refused at once (the last used to hang)', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const run = ['run', 'sft-multiobjective', '--set', 'model=attune-tiny-qwen2', '--set', 'trainer.options.steps=1', '--set', 'trainer.options.warmupSteps=0', '--out'];
    await refused([...run, join(dir, 'file')], /Run directory .*file is a file, not a folder/);
    await refused([...run, join(dir, 'file', 'sub')], /run directory .*sub: .*file is a file, not a folder/);
    await refused([...run, '/proc/attune-cannot-be-here'], /cannot create the folder \/proc\/attune-cannot-be-here: no such file or folder \(ENOENT\)/);
  });

  test('cp onto a folder, into a file\'s "folder", or where nothing can be created', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    await refused(['cp', 'sft-multiobjective', dir, '--force'], /is a folder\.[\s\S]*config\.yaml/);
    await refused(['cp', 'sft-multiobjective', join(dir, 'file', 'x.yaml')], /file is a file, not a folder/);
    await refused(['cp', 'sft-multiobjective', '/proc/attune-x.yaml'], /cannot open \/proc\/.*no such file or folder \(ENOENT\)/);
  });
});
