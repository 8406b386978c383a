import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelFolder } from '../../core/model/folder/resolve.js';
import { TokenizerError, loadTokenizer } from '../../core/model/tokenizer/index.js';
import { copyTokenizer } from './fixture-folder.js';

const embedded = resolveModelFolder('attune-tiny-qwen2');

describe('tokenizer from local files', () => {
  test('loading, encoding and templating never call fetch', async () => {
    const original = globalThis.fetch;
    const calls: string[] = [];
    globalThis.fetch = ((input: unknown) => {
      calls.push(String(input));
      return Promise.reject(new Error('network disabled in this test'));
    }) as typeof fetch;
    try {
      const tokenizer = await loadTokenizer(embedded);
      tokenizer.encode('hello there');
      tokenizer.renderChat([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true });
    } finally {
      globalThis.fetch = original;
    }
    assert.deepEqual(calls, []);
    const { env } = await import('@huggingface/transformers');
    assert.equal(env.allowRemoteModels, false);
  });

  test('text round-trips exactly, unicode and whitespace included', async () => {
    const tokenizer = await loadTokenizer(embedded);
    const samples = [
      "I'm feeling anxious that I'm going to lose my job.",
      'Café naïve — “quotes” 🙂 日本語 12,345.67',
      '  leading spaces\n\n\ttabs and\r\nwindows newlines  ',
      'ALL CAPS DON\'T and It\'S',
    ];
    for (const text of samples) {
      const ids = tokenizer.encode(text);
      assert.equal(tokenizer.decode(ids), text, JSON.stringify(text));
      assert.ok(ids.length < Buffer.byteLength(text), 'merges shorten the byte sequence');
    }
  });

  test('special tokens are single ids, skippable when decoding, and exposed as bos/eos/pad', async () => {
    const tokenizer = await loadTokenizer(embedded);
    const ids = tokenizer.encode('<|im_start|>user\nhi<|im_end|>');
    assert.equal(ids[0], tokenizer.tokenToId('<|im_start|>'));
    assert.equal(ids.at(-1), tokenizer.eos?.id);
    assert.equal(tokenizer.decode(ids, { skipSpecialTokens: true }), 'user\nhi');
    assert.equal(tokenizer.bos, null);
    assert.deepEqual(tokenizer.eos, { token: '<|im_end|>', id: 3071 });
    assert.deepEqual(tokenizer.pad, { token: '<|endoftext|>', id: 3069 });
    assert.deepEqual([...tokenizer.specialIds].sort(), [3069, 3070, 3071]);
    assert.equal(tokenizer.idLimit, 3072);
  });

  test('the ChatML template adds a default system turn and the generation header on request', async () => {
    const tokenizer = await loadTokenizer(embedded);
    const chat = [
      { role: 'user' as const, content: 'I failed my exam.' },
      { role: 'assistant' as const, content: 'That sounds painful.' },
    ];
    assert.equal(
      tokenizer.renderChat(chat, { addGenerationPrompt: false }),
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nI failed my exam.<|im_end|>\n<|im_start|>assistant\nThat sounds painful.<|im_end|>\n',
    );
    assert.equal(
      tokenizer.renderChat([{ role: 'system', content: 'Be kind.' }, chat[0]!], { addGenerationPrompt: true }),
      '<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nI failed my exam.<|im_end|>\n<|im_start|>assistant\n',
    );
    const ids = tokenizer.encodeChat(chat, { addGenerationPrompt: false });
    assert.equal(tokenizer.decode(ids), tokenizer.renderChat(chat, { addGenerationPrompt: false }));
  });

  test('chat_template.jinja beside the config replaces the inline template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attune-tok-'));
    await copyTokenizer(dir);
    await writeFile(join(dir, 'chat_template.jinja'), '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}');
    const tokenizer = await loadTokenizer(dir);
    assert.equal(tokenizer.renderChat([{ role: 'user', content: 'x' }], { addGenerationPrompt: false }), '[user] x\n');
    await rm(dir, { recursive: true });
  });

  test('missing files and templates fail with located errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attune-tok-'));
    await assert.rejects(loadTokenizer(dir), (e: unknown) => e instanceof TokenizerError && e.message.includes(join(dir, 'tokenizer.json')));
    await copyTokenizer(dir);
    const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    delete config.chat_template;
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
    const tokenizer = await loadTokenizer(dir);
    assert.equal(tokenizer.hasChatTemplate, false);
    assert.throws(() => tokenizer.renderChat([], { addGenerationPrompt: true }), (e: unknown) => e instanceof TokenizerError && e.message.includes('no chat template'));
    await writeFile(join(dir, 'tokenizer.json'), '{ nope');
    await assert.rejects(loadTokenizer(dir), (e: unknown) => e instanceof TokenizerError && e.message.includes('not valid JSON'));
    await rm(dir, { recursive: true });
  });
});
