/**
 * Canonical examples → TrainItems (token ids, assistant labels, last prompt token, class ids of
 * the label fields the objectives read). Dialogue examples learn their final assistant reply;
 * classify examples (GoEmotions) are prompts with no reply, seen only by heads. Items are
 * tokenized on first use and cached, so a short run never tokenizes a whole corpus.
 */
import type { CanonicalExample } from '../data/example.js';
import type { ChatEncoder } from '../data/tokenize/chat-encoder.js';
import { tokenizeChat, tokenizePrompt } from '../data/tokenize/tokenize-chat.js';
import type { ChatTokenizeResult } from '../data/tokenize/tokenize-chat.js';
import { ChatTokenizeError } from '../data/tokenize/errors.js';
import { AttuneError } from '../base/errors.js';
import type { TrainItem } from './collate.js';
import type { ExampleInput, LabelField } from './objective.js';

export interface SourceSplit {
  /** Source name (the item name, e.g. `esconv`). */
  readonly name: string;
  readonly examples: readonly CanonicalExample[];
}

/** Kinds an SFT step can use: dialogue (reply + labels) and classify (labels only). */
export function usableForSft(example: CanonicalExample): boolean {
  return example.kind === 'dialogue' || example.kind === 'classify';
}

/** "esconv 98, ed 5": how many examples each source lost, most first. */
export function countsBySource(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([source, n]) => `${source} ${n}`).join(', ');
}

export class ItemCache {
  private readonly cache = new Map<string, TrainItem | null>();
  /** Examples left out because even their last turn does not fit maxLength. */
  dropped = 0;
  /** `dropped` by source (the example's provenance.source). */
  readonly droppedBySource = new Map<string, number>();
  /** Examples left out because chat tokenization could not place the reply after truncation. */
  unsplittable = 0;
  firstUnsplittable: string | undefined;

  constructor(
    private readonly encoder: ChatEncoder,
    private readonly maxLength: number,
    private readonly fields: readonly LabelField[],
    private readonly inputs: readonly ExampleInput[] = [],
  ) {}

  /** The item, or null when the example cannot fit `maxLength`. */
  item(example: CanonicalExample): TrainItem | null {
    const hit = this.cache.get(example.id);
    if (hit !== undefined) return hit;
    if (!usableForSft(example)) {
      throw new AttuneError(`SFT: example '${example.id}' (${example.provenance.file} row ${example.provenance.row}) is a ${example.kind} example; SFT trains on dialogue and classify examples.`);
    }
    let result: ChatTokenizeResult;
    try {
      result =
        example.kind === 'dialogue'
          ? tokenizeChat(this.encoder, example.messages, { maxLength: this.maxLength })
          : tokenizePrompt(this.encoder, example.messages, { maxLength: this.maxLength });
    } catch (error) {
      // Truncated windows the template cannot split into prompt + reply are left out and counted,
      // rather than ending a run over one conversation.
      if (!(error instanceof ChatTokenizeError)) throw error;
      this.unsplittable++;
      if (this.firstUnsplittable === undefined) this.firstUnsplittable = `${example.id}: ${error.message}`;
      this.cache.set(example.id, null);
      return null;
    }
    let item: TrainItem | null = null;
    if (result.status === 'ok') {
      const classes: Record<string, number> = {};
      for (const field of this.fields) {
        const id = field.read(example);
        if (id !== undefined) classes[field.name] = id;
      }
      const values: Record<string, number> = {};
      for (const field of this.inputs) {
        const v = field.read(example);
        if (v === undefined) continue;
        if (!Number.isFinite(v)) throw new AttuneError(`SFT: input '${field.name}' of example '${example.id}' (${example.provenance.file} row ${example.provenance.row}) is ${v}; expected a finite number.`);
        values[field.name] = v;
      }
      item = { id: example.id, inputIds: result.inputIds, labels: result.labels, lastPromptIndex: result.lastPromptIndex, classes, values };
    } else {
      this.dropped++;
      this.droppedBySource.set(example.provenance.source, (this.droppedBySource.get(example.provenance.source) ?? 0) + 1);
    }
    this.cache.set(example.id, item);
    return item;
  }
}
