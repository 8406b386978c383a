/**
 * Where CounselChat lives: the original repository CSV (one file, a `split` column), a
 * Hugging Face dataset folder (one Parquet/JSONL/CSV per split), or any single file.
 */
import { huggingFaceLayout } from 'attune/data';
import type { DataLayout } from 'attune/data';

const originalFiles = ['20200325_counsel_chat.csv', 'data/20200325_counsel_chat.csv'];

export const counselChatLayouts: readonly DataLayout[] = [
  {
    name: 'original nbertagnolli/counsel-chat CSV (one file; its split column defines train/val/test)',
    splits: { train: originalFiles, validation: originalFiles, test: originalFiles },
  },
  huggingFaceLayout('Hugging Face dataset folder', ['parquet', 'jsonl', 'json', 'csv']),
];
