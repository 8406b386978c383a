import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MODEL, openModelFolder, resolveModelFolder } from '../../core/model/folder/index.js';
import { toByteLevel } from '../../core/model/tokenizer/bpe/byte-level.js';
import { pretokenize } from '../../core/model/tokenizer/bpe/pretokenize.js';

describe('embedded attune-tiny-qwen2', () => {
  test('is the default and opens through the ordinary folder path', async () => {
    assert.equal(DEFAULT_MODEL, 'attune-tiny-qwen2');
    const folder = await openModelFolder();
    assert.equal(folder.dir, resolveModelFolder('attune-tiny-qwen2'));
    const c = folder.config;
    assert.deepEqual(
      [c.architecture, c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim, c.intermediateSize, c.vocabSize],
      ['qwen2', 64, 2, 4, 2, 16, 176, 3072],
    );
    assert.equal(c.tieWordEmbeddings, true);
    assert.equal(c.qkvBias, true);
    assert.deepEqual(folder.unusedTensors, []);
    assert.deepEqual(folder.stopTokenIds.sort(), [3069, 3071]);
  });

  test('fits the 3 MB budget and documents its provenance', async () => {
    const dir = resolveModelFolder('attune-tiny-qwen2');
    let total = 0;
    for (const file of await readdir(dir)) total += (await stat(join(dir, file))).size;
    assert.ok(total <= 3 * 1024 * 1024, `${total} bytes`);
    const source = await readFile(join(dir, 'SOURCE.md'), 'utf8');
    assert.match(source, /make-embedded-model\.ts/);
    assert.match(source, /random weights/);
  });

  test('weights are small random values with norm gains near one', async () => {
    const { weights } = await openModelFolder();
    const embed = await weights.readFloat32('model.embed_tokens.weight');
    const mean = embed.reduce((a, b) => a + b, 0) / embed.length;
    const std = Math.sqrt(embed.reduce((a, b) => a + (b - mean) ** 2, 0) / embed.length);
    assert.ok(Math.abs(mean) < 0.002 && Math.abs(std - 0.02) < 0.002, `mean ${mean} std ${std}`);
    const norm = await weights.readFloat32('model.norm.weight');
    assert.ok(norm.every((g) => Math.abs(g - 1) < 0.1));
    assert.ok(norm.some((g) => g !== 1));
  });

  test('the runtime tokenizes exactly as the trained merges say', async () => {
    const { tokenizer, dir } = await openModelFolder();
    const json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number>; merges: string[] };
    };
    const rank = new Map(json.model.merges.map((m, i) => [m, i]));
    const reference = (text: string): number[] =>
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
    const text =
      "Hi, I've been feeling really down since my breakup. I can't sleep and my friends don't understand.\n\n" +
      "It sounds like you're carrying a lot right now — that's hard. What has helped you before? 42 times, 3.5%!\n  OK'LL do  it\ttoo  ";
    assert.deepEqual(tokenizer.encode(text), reference(text));
    for (const word of [' the', ' feel', ' you', ' anxiety']) {
      assert.equal(tokenizer.encode(word).length, 1, `"${word}" should be one token in a vocabulary trained on support dialogue`);
    }
  });
});
