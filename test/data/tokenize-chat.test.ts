import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '../../core/data/example.js';
import { ChatTokenizeError, tokenizeChat, tokenizeExamples, tokenizePrompt } from '../../core/data/tokenize/index.js';
import { IGNORE_INDEX } from '../../core/base/ignore-index.js';
import type { ChatTokenizeResult } from '../../core/data/tokenize/index.js';
import { esconvOptions, esconvSource } from '../../plugins/sources/esconv/index.js';
import { resolveModelFolder } from '../../core/model/folder/resolve.js';
import { loadTokenizer } from '../../core/model/tokenizer/index.js';
import type { ModelTokenizer } from '../../core/model/tokenizer/index.js';

const tokenizer = await loadTokenizer(resolveModelFolder('attune-tiny-qwen2'));

const chat: Message[] = [
  { role: 'user', content: 'I failed my exam and I feel awful.' },
  { role: 'assistant', content: "I'm sorry, that sounds really hard." },
  { role: 'user', content: 'My parents will be so disappointed.' },
  { role: 'assistant', content: 'It makes sense to worry about how they will react.' },
];

const templateDirs: string[] = [];
after(async () => {
  for (const dir of templateDirs) await rm(dir, { recursive: true });
});

/** The embedded tokenizer with another chat template (chat_template.jinja beside its config). */
async function tokenizerWithTemplate(template: string): Promise<ModelTokenizer> {
  const dir = await mkdtemp(join(tmpdir(), 'attune-tmpl-'));
  templateDirs.push(dir);
  const embedded = resolveModelFolder('attune-tiny-qwen2');
  await copyFile(join(embedded, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  await copyFile(join(embedded, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  await writeFile(join(dir, 'chat_template.jinja'), template);
  return loadTokenizer(dir);
}

function ok(result: ChatTokenizeResult): Extract<ChatTokenizeResult, { status: 'ok' }> {
  assert.equal(result.status, 'ok');
  return result as Extract<ChatTokenizeResult, { status: 'ok' }>;
}

/** The labelled tokens as runs of text, in order. */
function labelledRuns(t: ModelTokenizer, labels: number[]): string[] {
  const runs: number[][] = [];
  let current: number[] = [];
  for (const label of labels) {
    if (label === IGNORE_INDEX) {
      if (current.length) runs.push(current);
      current = [];
    } else current.push(label);
  }
  if (current.length) runs.push(current);
  return runs.map((r) => t.decode(r));
}

describe('assistant masks', () => {
  test('by default only the final reply (and its end-of-turn token) is labelled', () => {
    const r = ok(tokenizeChat(tokenizer, chat, { maxLength: 512 }));
    assert.equal(tokenizer.decode(r.inputIds), tokenizer.renderChat(chat, { addGenerationPrompt: false }));
    assert.deepEqual(labelledRuns(tokenizer, r.labels), ['It makes sense to worry about how they will react.<|im_end|>']);
    assert.equal(r.labels.length, r.inputIds.length);
    assert.equal(r.droppedMessages, 0);
    // The pooling position is the last token of "<|im_start|>assistant\n": the prompt's end.
    const prompt = tokenizer.encodeChat(chat.slice(0, 3), { addGenerationPrompt: true });
    assert.equal(r.lastPromptIndex, prompt.length - 1);
    assert.deepEqual(r.inputIds.slice(0, r.lastPromptIndex + 1), prompt);
    assert.notEqual(r.labels[r.lastPromptIndex + 1], IGNORE_INDEX);
    assert.equal(r.labels[r.lastPromptIndex], IGNORE_INDEX);
  });

  test('labelTurns "all" labels every assistant reply and nothing else', () => {
    const r = ok(tokenizeChat(tokenizer, chat, { maxLength: 512, labelTurns: 'all' }));
    assert.deepEqual(labelledRuns(tokenizer, r.labels), [
      "I'm sorry, that sounds really hard.<|im_end|>",
      'It makes sense to worry about how they will react.<|im_end|>',
    ]);
  });

  test('a reply whose first characters merge with the end of the prompt is still found', async () => {
    // The prompt ends with a space that BPE merges into the reply's first word: " Hello" is one token.
    const spaced = await tokenizerWithTemplate(
      "{% for m in messages %}{% if m['role'] == 'user' %}{{ 'Q: ' + m['content'] + ' A: ' }}" +
        "{% else %}{{ m['content'] + eos_token + '\\n' }}{% endif %}{% endfor %}",
    );
    const turns: Message[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello there' },
    ];
    const r = ok(tokenizeChat(spaced, turns, { maxLength: 512 }));
    const prompt = spaced.encodeChat(turns.slice(0, 1), { addGenerationPrompt: true });
    assert.notDeepEqual(r.inputIds.slice(0, prompt.length), prompt, 'the boundary space merged into the reply');
    assert.deepEqual(labelledRuns(spaced, r.labels), [' Hello there<|im_end|>']);
    assert.equal(r.lastPromptIndex, prompt.length - 2);
  });

  test('an explicit end-of-turn list overrides the tokenizer eos', () => {
    const r = ok(tokenizeChat(tokenizer, chat, { maxLength: 512, endOfTurnIds: [] }));
    assert.deepEqual(labelledRuns(tokenizer, r.labels), ['It makes sense to worry about how they will react.<|im_end|>\n']);
  });
});

describe('truncation', () => {
  const long: Message[] = [{ role: 'system', content: 'Be warm.' }];
  for (let i = 0; i < 12; i++) {
    long.push({ role: 'user', content: `Turn ${i}: I keep thinking about what happened at work today.` });
    long.push({ role: 'assistant', content: `Reply ${i}: that sounds stressful, tell me more.` });
  }

  test('drops whole earliest turns, keeps the system message, starts at a user turn and never cuts the target', () => {
    const full = tokenizer.encodeChat(long, { addGenerationPrompt: false }).length;
    const maxLength = Math.floor(full / 2);
    const r = ok(tokenizeChat(tokenizer, long, { maxLength }));
    assert.ok(r.inputIds.length <= maxLength);
    assert.ok(r.droppedMessages > 0 && r.droppedMessages % 2 === 0);
    const kept = [long[0]!, ...long.slice(1 + r.droppedMessages)];
    assert.equal(tokenizer.decode(r.inputIds), tokenizer.renderChat(kept, { addGenerationPrompt: false }));
    assert.ok(tokenizer.decode(r.inputIds).startsWith('<|im_start|>system\nBe warm.'));
    // As many turns as fit: keeping one more user/assistant pair would not.
    const oneMore = [long[0]!, ...long.slice(1 + r.droppedMessages - 2)];
    assert.ok(tokenizer.encodeChat(oneMore, { addGenerationPrompt: false }).length > maxLength);
    assert.deepEqual(labelledRuns(tokenizer, r.labels), ['Reply 11: that sounds stressful, tell me more.<|im_end|>']);
  });

  test('a target that cannot fit alone is reported, and batches count truncated and dropped', () => {
    const huge: Message[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'word '.repeat(200) },
    ];
    const tooLong = tokenizeChat(tokenizer, huge, { maxLength: 64 });
    assert.equal(tooLong.status, 'too-long');
    const full = tokenizer.encodeChat(long, { addGenerationPrompt: false }).length;
    const { items, stats } = tokenizeExamples(
      tokenizer,
      [
        { id: 'short', messages: chat },
        { id: 'long', messages: long },
        { id: 'huge', messages: huge },
      ],
      { maxLength: Math.min(200, full - 1) },
    );
    assert.deepEqual(stats, { total: 3, kept: 2, truncated: 1, dropped: 1, droppedIds: ['huge'] });
    assert.deepEqual(
      items.map((i) => i.id),
      ['short', 'long'],
    );
  });

  test('a target that fits alone but whose template cannot place it alone is dropped, not an error', () => {
    // Qwen2's template puts its default system turn before a lone assistant reply but not before the empty
    // prompt, so the target-alone window cannot be labelled; it used to fail with "cannot locate the target reply".
    const longQuestion: Message[] = [
      { role: 'user', content: 'I have been feeling low and I cannot tell anyone at work about it. '.repeat(6) },
      { role: 'assistant', content: 'That sounds heavy to carry alone.' },
    ];
    const whole = tokenizer.encodeChat(longQuestion, { addGenerationPrompt: false }).length;
    const alone = tokenizer.encodeChat(longQuestion.slice(1), { addGenerationPrompt: false }).length;
    assert.ok(alone < whole - 1);
    const r = tokenizeChat(tokenizer, longQuestion, { maxLength: whole - 1 });
    // The shortest usable window is the last user turn with its reply.
    assert.deepEqual(r, { status: 'too-long', minimumLength: whole });
    assert.equal(ok(tokenizeChat(tokenizer, longQuestion, { maxLength: whole })).droppedMessages, 0);
  });

  test('the shipped ESConv slice at 128 tokens: every example is kept or counted as dropped', async () => {
    const src = await esconvSource.create(esconvOptions.parse({}), { baseDir: tmpdir(), warn: () => undefined });
    const { examples } = await src.load({ split: 'train' });
    // The first dialogs hold the example that exposed the fault (esconv:train:train-2:8); all 1139 take ~20 s here.
    const subset = examples.slice(0, examples.findIndex((e) => e.id.startsWith('esconv:train:train-4:')));
    const { items, stats } = tokenizeExamples(tokenizer, subset, { maxLength: 128 });
    assert.ok(stats.droppedIds.includes('esconv:train:train-2:8'));
    assert.equal(stats.kept + stats.dropped, subset.length);
    assert.ok(stats.truncated > 0 && stats.kept > 0);
    for (const item of items) {
      assert.ok(item.inputIds.length <= 128);
      assert.ok(item.labels.some((l) => l !== IGNORE_INDEX), item.id);
    }
  });

  test('a template that rejects a lone assistant turn falls back to the shortest window it accepts', async () => {
    // Llama-2 style: roles must alternate starting with the user; no separate generation header.
    const llamaLike = await tokenizerWithTemplate(
      "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}" +
        "{% else %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}",
    );
    const r = ok(tokenizeChat(llamaLike, chat, { maxLength: 512, labelTurns: 'all' }));
    assert.deepEqual(labelledRuns(llamaLike, r.labels), [
      " I'm sorry, that sounds really hard.<|im_end|>",
      ' It makes sense to worry about how they will react.<|im_end|>',
    ]);
    const lastPair = llamaLike.encodeChat(chat.slice(2), { addGenerationPrompt: false }).length;
    const fitted = ok(tokenizeChat(llamaLike, chat, { maxLength: lastPair }));
    assert.equal(fitted.droppedMessages, 2);
    assert.equal(tokenizeChat(llamaLike, chat, { maxLength: lastPair - 1 }).status, 'too-long');
  });
});

describe('prompts and bad input', () => {
  test('tokenizePrompt ends with the generation header and pools on its last token', () => {
    const r = ok(tokenizePrompt(tokenizer, chat.slice(0, 3), { maxLength: 512 }));
    assert.ok(tokenizer.decode(r.inputIds).endsWith('<|im_start|>assistant\n'));
    assert.equal(r.lastPromptIndex, r.inputIds.length - 1);
    assert.ok(r.labels.every((l) => l === IGNORE_INDEX));
  });

  test('a dialogue that does not end with the assistant fails, naming the example in batches', () => {
    assert.throws(() => tokenizeChat(tokenizer, chat.slice(0, 3), { maxLength: 512 }), ChatTokenizeError);
    assert.throws(() => tokenizeChat(tokenizer, chat, { maxLength: 0 }), /maxLength/);
    assert.throws(
      () => tokenizeExamples(tokenizer, [{ id: 'esconv-7', messages: chat.slice(0, 1) }], { maxLength: 512 }),
      (e: unknown) => e instanceof ChatTokenizeError && e.message.includes('example "esconv-7"') && e.message.includes('user turn'),
    );
  });
});
