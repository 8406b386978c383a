/**
 * Where CounselChat lives: the original repository CSV (one file, a `split` column), a
 * Hugging Face dataset folder (one Parquet/JSONL/CSV per split), or any single file.
 */
import { huggingFacePatterns, type DataLayout } from '../../../core/data/formats/index.js';

const originalFiles = ['20200325_counsel_chat.csv', 'data/20200325_counsel_chat.csv'];

export const counselChatLayouts: readonly DataLayout[] = [
  {
    name: 'original nbertagnolli/counsel-chat CSV (one file; its split column defines train/val/test)',
    splits: { train: originalFiles, validation: originalFiles, test: originalFiles },
  },
  {
    name: 'Hugging Face dataset folder',
    splits: {
      train: huggingFacePatterns('train', ['parquet', 'jsonl', 'json', 'csv']),
      validation: huggingFacePatterns('validation', ['parquet', 'jsonl', 'json', 'csv']),
      test: huggingFacePatterns('test', ['parquet', 'jsonl', 'json', 'csv']),
    },
  },
];
