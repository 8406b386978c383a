/** The ESConv layouts this source reads. */
import { huggingFaceLayout } from 'attune/data';
import type { DataLayout } from 'attune/data';

export const esconvLayouts: readonly DataLayout[] = [
  huggingFaceLayout('Hugging Face thu-coai/esconv split files (one JSON dialog per line, or {"text": "<json>"} rows)', ['json', 'jsonl', 'parquet']),
  {
    name: 'original ESConv release (ESConv.json: one JSON array of dialogs, all as train)',
    splits: { train: ['ESConv.json'] },
  },
];
