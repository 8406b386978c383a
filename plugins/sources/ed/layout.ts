/** The EmpatheticDialogues layouts this source reads. */
import { huggingFaceLayout } from 'attune/data';
import type { DataLayout } from 'attune/data';

export const edLayouts: readonly DataLayout[] = [
  {
    name: 'original EmpatheticDialogues release (train.csv, valid.csv, test.csv; or ED-v2 train/dev/test csv)',
    splits: { train: ['train.csv'], validation: ['valid.csv', 'dev.csv'], test: ['test.csv'] },
  },
  huggingFaceLayout('Hugging Face folder (Parquet/JSONL/CSV per split with the original or the ED-v2 columns)', ['parquet', 'jsonl', 'json', 'csv']),
];

/** Columns of the original release (also the HF `facebook/empathetic_dialogues` columns). */
export const originalColumns = ['conv_id', 'utterance_idx', 'context', 'prompt', 'speaker_idx', 'utterance', 'selfeval', 'tags'] as const;

/** Columns of the pair-level ED-v2 variant (`Adapting/empathetic_dialogues_v2`). */
export const v2Columns = ['id', 'chat_history', 'sys_response', 'situation', 'emotion', 'question or not', 'behavior'] as const;
