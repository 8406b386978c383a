/**
 * The two embedded models: their shapes, tokenizer size, pre-training batch layout and corpus.
 * Everything else (template, special tokens, init, the training loop) they share.
 */
import { join } from 'node:path';
import type { Corpus } from './corpus.js';
import { readSourcesCorpus } from './corpus-sources.js';
import { readTinyCorpus } from './corpus-tiny.js';

export interface EmbeddedSpec {
  name: string;
  /** One paragraph for the top of SOURCE.md. */
  summary: string;
  shape: { hidden: number; intermediate: number; layers: number; heads: number; kvHeads: number };
  vocabSize: number;
  /** Weights as committed. */
  dtype: 'F32' | 'BF16';
  /** Packed pre-training rows: tokens per row, rows per step, held-out rows evaluated. */
  sequenceLength: number;
  batchRows: number;
  heldOutRows: number;
  /** Stage-loop options (YAML) of the pre-training run. */
  pretrainConfig: string;
  readCorpus(dataDir: string): Corpus | Promise<Corpus>;
}

export const EMBEDDED_SPECS: Record<string, EmbeddedSpec> = {
  tiny: {
    name: 'attune-tiny-qwen2',
    summary:
      'The default model of the unit tests: a tiny Qwen2-architecture Hugging Face folder, **briefly pre-trained** on support-conversation text. ' +
      'It lets every recipe and test run offline through exactly the code path a real checkpoint takes, in seconds. It has learned the chat ' +
      'format and common words of support dialogue, but its replies are at best loosely fluent; `attune-small-qwen2` is the one to show results with.',
    shape: { hidden: 64, intermediate: 176, layers: 2, heads: 4, kvHeads: 2 },
    vocabSize: 3072,
    dtype: 'F32',
    sequenceLength: 128,
    batchRows: 16,
    heldOutRows: 64,
    pretrainConfig: join(import.meta.dirname, 'pretrain-tiny.yaml'),
    readCorpus: readTinyCorpus,
  },
  small: {
    name: 'attune-small-qwen2',
    summary:
      'The model for default runs, demos, embedded reward models and RL smoke runs: a small Qwen2-architecture Hugging Face folder ' +
      'pre-trained for about an hour on 2 CPU cores over all the conversational text in the shared data (ESConv, EmpatheticDialogues, ' +
      'CounselChat, AnnoMI, WASSA, GoEmotions). It writes real words in the register of support conversations and gives the recipes ' +
      'room to move their metrics; it is far too small and too briefly trained to give sound advice.',
    shape: { hidden: 384, intermediate: 1024, layers: 5, heads: 6, kvHeads: 2 },
    vocabSize: 8192,
    dtype: 'BF16',
    sequenceLength: 256,
    batchRows: 16,
    heldOutRows: 96,
    pretrainConfig: join(import.meta.dirname, 'pretrain-small.yaml'),
    readCorpus: readSourcesCorpus,
  },
};
