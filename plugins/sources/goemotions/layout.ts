/** The GoEmotions layouts this source reads. */
import { huggingFaceLayout } from 'attune/data';
import type { DataLayout } from 'attune/data';

export const goEmotionsLayouts: readonly DataLayout[] = [
  {
    name: 'original GoEmotions release (headerless TSV: text, label ids, comment id; emotions.txt beside)',
    splits: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  huggingFaceLayout('Hugging Face go_emotions folder (Parquet/JSONL/CSV with text, labels[, id]; e.g. simplified/train-*.parquet)', ['parquet', 'jsonl', 'json', 'csv']),
];

/** Label-name files the original release ships (emotions.txt; some copies call it labels.txt). */
export const labelNameFiles = ['emotions.txt', 'labels.txt'] as const;
