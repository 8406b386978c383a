/**
 * The small model's corpus: every conversational text in the shared data, read through
 * Attune's own dataset sources (the same parsing and splits a user gets), the *train* splits
 * for the tokenizer and pre-training and the *validation* splits held out. Test splits are not
 * touched, and because the shipped slices are drawn per split from the same files, the
 * validation rows a default run evaluates on were never pre-trained on.
 */
import { join, relative } from 'node:path';
import type { CanonicalExample, Message } from 'attune';
import { Kernel } from '../../core/kernel/kernel.js';
import { builtinPlugins } from '../../plugins/index.js';
import { pushTurn } from './corpus.js';
import type { Corpus } from './corpus.js';

const REPO = join(import.meta.dirname, '..', '..');

interface SourcePlan {
  use: string;
  /** Folder under the data directory; none = the slice the source ships (ED: the shared copy is that prefix). */
  folder?: string;
  options: Record<string, unknown>;
  license: string;
  rendering: string;
  /** Examples to conversations. */
  toConversations(examples: CanonicalExample[]): Message[][];
}

/** Dialogue sources expanded at the last helper turn: one example holds the whole conversation. */
const asIs = (examples: CanonicalExample[]): Message[][] => examples.map((e) => e.messages.map((m) => ({ ...m })));

/** WASSA gives one example per turn; turns of one conversation (release + id) are joined in order, speakers alternating user/assistant. */
function wassaConversations(examples: CanonicalExample[]): Message[][] {
  const byConversation = new Map<string, CanonicalExample[]>();
  for (const e of examples) {
    const key = `${String(e.metadata.release)}:${e.provenance.dialogId ?? e.id}`;
    byConversation.set(key, [...(byConversation.get(key) ?? []), e]);
  }
  const conversations: Message[][] = [];
  for (const turns of byConversation.values()) {
    turns.sort((a, b) => (a.provenance.turn ?? 0) - (b.provenance.turn ?? 0));
    const first = String(turns[0]!.metadata.speaker ?? turns[0]!.metadata.speakerId ?? '');
    const messages: Message[] = [];
    for (const t of turns) pushTurn(messages, String(t.metadata.speaker ?? t.metadata.speakerId ?? '') === first ? 'user' : 'assistant', t.messages.map((m) => m.content).join(' '));
    if (messages.length > 0) conversations.push(messages);
  }
  return conversations;
}

const PLANS: SourcePlan[] = [
  { use: 'sources/esconv', folder: 'esconv', options: { expansion: 'last-helper-turn' }, license: 'CC BY-NC 4.0, thu-coai (academic research use only)', rendering: 'each dialog up to its last supporter turn: seeker `user`, supporter `assistant`', toConversations: asIs },
  { use: 'sources/ed', options: { expansion: 'last-helper-turn' }, license: 'CC BY-NC (see the shared SOURCE.md), facebookresearch', rendering: 'each conversation up to its last listener turn (only the 30-conversation prefix in the shared data)', toConversations: asIs },
  { use: 'sources/counselchat', folder: 'counsel_chat', options: {}, license: 'MIT, nbertagnolli/counsel-chat', rendering: 'each answer with its question (`user`), answer as `assistant`', toConversations: asIs },
  { use: 'sources/annomi', folder: 'annomi', options: { turns: 'last' }, license: 'no license file; an earlier uccollab/AnnoMI README said "Public Domain" (transcripts of public MI demonstration videos)', rendering: 'each transcript up to its last therapist turn: client `user`, therapist `assistant`', toConversations: asIs },
  { use: 'sources/wassa', folder: 'wassa_conv_turn', options: {}, license: 'no license stated; distributed by the WASSA 2023/2024 shared-task organisers for research use', rendering: 'turns of each conversation joined in order, first speaker `user`, the other `assistant`', toConversations: wassaConversations },
  { use: 'sources/goemotions', folder: 'goemotions', options: {}, license: 'Apache 2.0 (monologg/GoEmotions-pytorch copy; upstream google-research states no separate data license)', rendering: 'each Reddit comment as a single `user` turn', toConversations: asIs },
];

export async function readSourcesCorpus(dataDir: string): Promise<Corpus> {
  const kernel = await new Kernel().load({ builtins: builtinPlugins });
  const env = { baseDir: dataDir, warn: (message: string) => process.stderr.write(`warning: ${message}\n`) };
  const corpus: Corpus = { tokenizerTexts: [], train: [], heldOut: [], heldOutRule: 'the validation split of every source (never trained on)', parts: [] };
  for (const plan of PLANS) {
    const options = plan.folder ? { ...plan.options, path: join(dataDir, plan.folder) } : plan.options;
    const source = await kernel.create({ kind: 'sources', use: plan.use, options }, env);
    const train = plan.toConversations((await source.load({ split: 'train' })).examples);
    const validation = await source.load({ split: 'validation' });
    const heldOut = plan.toConversations(validation.examples);
    for (const messages of train) for (const m of messages) corpus.tokenizerTexts.push(m.content);
    corpus.train.push(...train);
    corpus.heldOut.push(...heldOut);
    const shown = (file: string): string => (file.startsWith(`${dataDir}/`) ? relative(dataDir, file) : `${relative(REPO, file)} (the shipped slice)`);
    const files = [...new Set(validation.files)].map(shown);
    corpus.parts.push({ name: `${plan.use} (${files.join(', ')} and the train files beside them)`, license: plan.license, train: train.length, heldOut: heldOut.length, rendering: plan.rendering });
  }
  return corpus;
}
