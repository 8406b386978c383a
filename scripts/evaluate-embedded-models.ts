/**
 * Held-out LM loss of embedded models on the same text: the validation splits of every source
 * in the shared data (attune-small-qwen2's held-out set), overall and per source. Loss per token
 * depends on the tokenizer, so bits per byte of text is the column to compare models by.
 *
 *   npx tsx --conditions=attune-source scripts/evaluate-embedded-models.ts [--data ../shared/data] [models…]
 */
import { join, resolve } from 'node:path';
import type { Message } from 'attune';
import { openModelFolder } from '../core/model/folder/open-model-folder.js';
import type { ModelFolder } from '../core/model/folder/open-model-folder.js';
import { readSourcesCorpus } from './embedded/corpus-sources.js';
import { HeldOutScorer, heldOutRows } from './embedded/pretrain.js';
import { EMBEDDED_SPECS } from './embedded/spec.js';

const SEED = 20240607;
const ROWS_PER_SOURCE = 24;

async function measure(folder: ModelFolder, scorer: HeldOutScorer, conversations: readonly Message[][], rows: number): Promise<{ loss: number; tokens: number; bitsPerByte: number }> {
  const length = EMBEDDED_SPECS.small!.sequenceLength;
  const packed = heldOutRows(folder, conversations, { length, rows }, SEED);
  const bytes = packed.reduce((total, row) => total + Buffer.byteLength(folder.tokenizer.decode(row)), 0);
  const loss = await scorer.loss(packed);
  const tokens = packed.length * length;
  return { loss, tokens, bitsPerByte: (loss * tokens) / bytes / Math.LN2 };
}

const args = process.argv.slice(2);
const dataAt = args.indexOf('--data');
const dataDir = resolve(dataAt >= 0 ? args[dataAt + 1]! : join(import.meta.dirname, '..', '..', 'shared', 'data'));
const models = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--data');
const corpus = await readSourcesCorpus(dataDir);
const lines = ['| model | held out | tokens | loss (nats/token) | perplexity | bits per byte |', '|---|---|---|---|---|---|'];
for (const name of models.length > 0 ? models : ['attune-tiny-qwen2', 'attune-small-qwen2']) {
  const folder = await openModelFolder(name);
  const scorer = await HeldOutScorer.open(folder, 'stored', EMBEDDED_SPECS.small!.batchRows);
  const all = await measure(folder, scorer, corpus.heldOut, EMBEDDED_SPECS.small!.heldOutRows);
  lines.push(`| ${name} | all sources | ${all.tokens} | ${all.loss.toFixed(3)} | ${Math.exp(all.loss).toFixed(1)} | ${all.bitsPerByte.toFixed(3)} |`);
  let at = 0;
  for (const part of corpus.parts) {
    const conversations = corpus.heldOut.slice(at, at + part.heldOut);
    at += part.heldOut;
    const m = await measure(folder, scorer, conversations, ROWS_PER_SOURCE);
    if (m.tokens === 0) continue;
    lines.push(`| ${name} | ${part.name.split(' ')[0]} | ${m.tokens} | ${m.loss.toFixed(3)} | ${Math.exp(m.loss).toFixed(1)} | ${m.bitsPerByte.toFixed(3)} |`);
  }
  await scorer.release();
}
console.log(lines.join('\n'));
