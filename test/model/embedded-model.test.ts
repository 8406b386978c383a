import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineSession } from '../../core/engine/index.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch } from '../../core/model/decoder/index.js';
import { DEFAULT_MODEL, openModelFolder, resolveModelFolder } from '../../core/model/folder/index.js';
import type { ModelFolder } from '../../core/model/folder/index.js';
import { GREEDY, InferenceModel, generateTokens } from '../../core/model/generation/index.js';
import { toByteLevel } from '../../core/model/tokenizer/bpe/byte-level.js';
import { pretokenize } from '../../core/model/tokenizer/bpe/pretokenize.js';

interface Expected {
  name: string;
  /** architecture, hidden, layers, heads, kv heads, head dim, intermediate, vocab */
  shape: [string, number, number, number, number, number, number, number];
  dtype: string;
  /** Upper bound on the folder's total size. */
  maxBytes: number;
  /** The LM loss on an unseen support exchange must be below this fraction of ln(vocab) (a random init scores about 1). */
  maxLossFraction: number;
}

const EXPECTED: Expected[] = [
  { name: 'attune-tiny-qwen2', shape: ['qwen2', 64, 2, 4, 2, 16, 176, 3072], dtype: 'float32', maxBytes: 3 * 1024 * 1024, maxLossFraction: 0.6 },
  { name: 'attune-small-qwen2', shape: ['qwen2', 384, 5, 6, 2, 64, 1024, 8192], dtype: 'bfloat16', maxBytes: 25 * 1000 * 1000, maxLossFraction: 0.45 },
];

/** LM loss (nats/token) of a support exchange written for this test, so never trained on. */
async function exchangeLoss(folder: ModelFolder): Promise<number> {
  const ids = folder.tokenizer.encodeChat(
    [
      { role: 'user', content: 'I have been feeling really lonely since I moved to a new city.' },
      { role: 'assistant', content: 'That sounds really hard. Moving away from friends can make you feel very alone.' },
    ],
    { addGenerationPrompt: false },
  );
  const batch = padBatch([{ ids, labels: ids }], folder.config, { padId: 0 });
  const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'none' }, dropout: false });
  const session = await EngineSession.create(program);
  try {
    const out = await session.run(batch.feeds, { dims: batch.dims });
    return (out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number);
  } finally {
    await session.release();
  }
}

/** Lower-cased words of every shipped data slice: a reference vocabulary of real English that no model wrote. */
function sliceWords(): Set<string> {
  const words = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (!entry.endsWith('.md')) for (const w of readFileSync(path, 'utf8').toLowerCase().match(/[a-z]+/g) ?? []) words.add(w);
    }
  };
  for (const source of readdirSync(fromPackageRoot('plugins', 'sources'))) {
    const slice = fromPackageRoot('plugins', 'sources', source, 'slice');
    if (existsSync(slice)) walk(slice);
  }
  return words;
}

/** The BPE applied by hand from tokenizer.json's merges: the reference the runtime tokenizer must match. */
function referenceTokenizer(json: { model: { vocab: Record<string, number>; merges: string[] } }): (text: string) => number[] {
  const rank = new Map(json.model.merges.map((m, i) => [m, i]));
  return (text) =>
    pretokenize(text).flatMap((piece) => {
      let symbols = toByteLevel(piece);
      while (symbols.length > 1) {
        let best = -1;
        let bestRank = Infinity;
        for (let i = 0; i + 1 < symbols.length; i++) {
          const r = rank.get(`${symbols[i]} ${symbols[i + 1]}`);
          if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
        }
        if (best < 0) break;
        symbols = [...symbols.slice(0, best), symbols[best]! + symbols[best + 1]!, ...symbols.slice(best + 2)];
      }
      return symbols.map((s) => json.model.vocab[s]!);
    });
}

test('the tiny model is the library default (fast for tests); shipped configs choose the small one', () => {
  assert.equal(DEFAULT_MODEL, 'attune-tiny-qwen2');
  for (const file of ['example.yaml', 'cpu-smoke.yaml']) {
    const text = readFileSync(fromPackageRoot('configs', 'sft-multiobjective', file), 'utf8');
    if (file === 'example.yaml') assert.match(text, /^model: attune-small-qwen2$/m);
    else assert.doesNotMatch(text, /^model: attune-tiny/m);
  }
});

for (const expected of EXPECTED) {
  describe(`embedded ${expected.name}`, () => {
    test('opens through the ordinary folder path with the documented shape', async () => {
      const folder = await openModelFolder(expected.name);
      assert.equal(folder.dir, resolveModelFolder(expected.name));
      const c = folder.config;
      assert.deepEqual([c.architecture, c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim, c.intermediateSize, c.vocabSize], expected.shape);
      assert.equal(c.torchDtype, expected.dtype);
      assert.equal(c.tieWordEmbeddings, true);
      assert.equal(c.qkvBias, true);
      assert.deepEqual(folder.unusedTensors, []);
      const v = c.vocabSize;
      assert.deepEqual(folder.stopTokenIds.sort(), [v - 3, v - 1]);
    });

    test('fits its size budget and documents its provenance', async () => {
      const dir = resolveModelFolder(expected.name);
      let total = 0;
      for (const file of await readdir(dir)) total += (await stat(join(dir, file))).size;
      assert.ok(total <= expected.maxBytes, `${total} bytes`);
      const source = await readFile(join(dir, 'SOURCE.md'), 'utf8');
      assert.match(source, /make-embedded-model\.ts/);
      assert.match(source, /pre-trained/);
      assert.match(source, /held-out/i);
      assert.match(source, /licen[cs]e/i);
    });

    test('is a pre-trained language model: an unseen support exchange is far likelier than under a uniform guess', async () => {
      const folder = await openModelFolder(expected.name);
      const loss = await exchangeLoss(folder);
      assert.ok(loss < expected.maxLossFraction * Math.log(folder.config.vocabSize), `LM loss ${loss.toFixed(3)} nats/token, ln V = ${Math.log(folder.config.vocabSize).toFixed(2)}`);
    });

    test('the runtime tokenizes exactly as the trained merges say', async () => {
      const { tokenizer, dir } = await openModelFolder(expected.name);
      const reference = referenceTokenizer(JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')));
      const text =
        "Hi, I've been feeling really down since my breakup. I can't sleep and my friends don't understand.\n\n" +
        "It sounds like you're carrying a lot right now — that's hard. What has helped you before? 42 times, 3.5%!\n  OK'LL do  it\ttoo  ";
      assert.deepEqual(tokenizer.encode(text), reference(text));
      for (const word of [' the', ' feel', ' you', ' anxiety']) {
        assert.equal(tokenizer.encode(word).length, 1, `"${word}" should be one token in a vocabulary trained on support dialogue`);
      }
    });
  });
}

describe('embedded attune-small-qwen2 writes language', () => {
  test('a greedy reply is made of real words, not one repeated token', async () => {
    const model = await InferenceModel.open('attune-small-qwen2');
    try {
      const tok = model.folder.tokenizer;
      const prompts = ['I feel so alone since my best friend moved away.', 'My exams are next week and I cannot stop worrying.'].map((content) =>
        tok.encodeChat([{ role: 'user', content }], { addGenerationPrompt: true }),
      );
      const rows = await generateTokens(model, prompts, { maxNewTokens: 32, sampling: GREEDY });
      const known = sliceWords();
      for (const row of rows) {
        const words = row.text.toLowerCase().match(/[a-z]+/g) ?? [];
        assert.ok(words.length >= 5, `too few words: ${JSON.stringify(row.text)}`);
        assert.ok(new Set(words).size >= 4, `one word repeated: ${JSON.stringify(row.text)}`);
        const real = words.filter((w) => known.has(w)).length;
        assert.ok(real / words.length >= 0.9, `${words.length - real} of ${words.length} words are not English words of the slices: ${JSON.stringify(row.text)}`);
      }
    } finally {
      await model.release();
    }
  });
});
