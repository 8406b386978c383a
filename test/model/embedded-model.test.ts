import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineSession } from '../../core/engine/index.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch } from '../../core/model/decoder/index.js';
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
    assert.match(source, /pre-trained/);
    assert.match(source, /held-out/);
  });

  test('is a pre-trained language model: support dialogue is far likelier than under a uniform guess', async () => {
    const folder = await openModelFolder();
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
      const loss = (out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number);
      // A random init scores about ln(vocab) ≈ 8.03 nats/token; the pre-trained model must be far below it.
      assert.ok(loss < 0.6 * Math.log(folder.config.vocabSize), `LM loss ${loss.toFixed(3)} nats/token`);
    } finally {
      await session.release();
    }
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
