/**
 * The tiny model's corpus, read straight from two raw files: ESConv's train.json and the
 * CounselChat CSV. Every 20th conversation is held out. Kept as it was when the committed
 * attune-tiny-qwen2 was made, so that model stays reproducible.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Message } from 'attune';
import { pushTurn } from './corpus.js';
import type { Corpus } from './corpus.js';

const HELD_OUT_EVERY = 20;

export function readTinyCorpus(dataDir: string): Corpus {
  const texts: string[] = [];
  const conversations: { source: 'esconv' | 'counselchat'; messages: Message[] }[] = [];
  let esconvDialogs = 0;
  for (const line of readFileSync(join(dataDir, 'esconv', 'train.json'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const dialog = JSON.parse(line) as { situation?: string; dialog?: { text?: string; speaker?: string }[] };
    esconvDialogs++;
    if (dialog.situation) texts.push(dialog.situation);
    const messages: Message[] = [];
    for (const turn of dialog.dialog ?? []) {
      if (!turn.text) continue;
      texts.push(turn.text);
      pushTurn(messages, turn.speaker === 'sys' ? 'assistant' : 'user', turn.text);
    }
    if (messages.length >= 2) conversations.push({ source: 'esconv', messages });
  }
  let counselRows = 0;
  const seenQuestions = new Set<string>();
  for (const file of readdirSync(join(dataDir, 'counsel_chat')).filter((f) => f.endsWith('.csv')).sort()) {
    const rows = parse(readFileSync(join(dataDir, 'counsel_chat', file), 'utf8'), { columns: true }) as Record<string, string>[];
    for (const row of rows) {
      counselRows++;
      const question = `${row.questionTitle ?? ''}\n${row.questionText ?? ''}`;
      if (!seenQuestions.has(question)) {
        seenQuestions.add(question);
        texts.push(question);
      }
      if (row.answerText) {
        texts.push(row.answerText);
        conversations.push({
          source: 'counselchat',
          messages: [
            { role: 'user', content: question.trim() },
            { role: 'assistant', content: row.answerText.trim() },
          ],
        });
      }
    }
  }
  const isHeldOut = (i: number): boolean => i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1;
  const count = (source: string, heldOut: boolean): number => conversations.filter((c, i) => c.source === source && isHeldOut(i) === heldOut).length;
  return {
    tokenizerTexts: texts,
    train: conversations.filter((_, i) => !isHeldOut(i)).map((c) => c.messages),
    heldOut: conversations.filter((_, i) => isHeldOut(i)).map((c) => c.messages),
    heldOutRule: `every ${HELD_OUT_EVERY}th conversation in file order (never trained on)`,
    parts: [
      {
        name: `ESConv \`esconv/train.json\` (${esconvDialogs} dialogs; situations and turns also fit the tokenizer)`,
        license: 'CC BY-NC 4.0, thu-coai',
        train: count('esconv', false),
        heldOut: count('esconv', true),
        rendering: 'seeker turns as `user`, supporter turns as `assistant`, consecutive turns of one speaker joined',
      },
      {
        name: `CounselChat \`counsel_chat/*.csv\` (${counselRows} rows)`,
        license: 'MIT, nbertagnolli/counsel-chat',
        train: count('counselchat', false),
        heldOut: count('counselchat', true),
        rendering: 'each answer with its question (title and text as `user`, answer as `assistant`)',
      },
    ],
  };
}
