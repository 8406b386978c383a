/**
 * Writes a decoder + LoRA + `score` head as a complete Hugging Face `…ForSequenceClassification`
 * folder: the adapter merged into the base weights, `score.weight` [num_labels, hidden] added, the
 * causal-LM head left out, and config.json rewritten (architectures, num_labels, id2label,
 * label2id, problem_type, pad_token_id — transformers pools the last token that is not the pad
 * token, and refuses batches without one). `classifierConfigJson` is the same config before any
 * weights exist, so a trainer can encode and pool exactly as the exported folder will be read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFolder } from '../folder/open-model-folder.js';
import { ModelFolderError } from '../folder/errors.js';
import type { LoraState } from '../lora/lora-state.js';
import { writeMergedModel } from '../lora/merge.js';
import { decoderClassifierClass } from './classifier-config.js';
import type { PairFormat, ProblemType } from './classifier-config.js';

export interface ClassifierHead {
  /** Label names by class index (one name for a regressor or a reward model). */
  readonly labels: readonly string[];
  /** Absent: transformers' inference (one label → regression). */
  readonly problemType?: ProblemType;
  readonly padTokenId: number;
  /** 'chat': pairs are read as a user turn and a reply through the chat template (written as `attune_pair_format`). */
  readonly pairFormat?: PairFormat;
}

export async function classifierConfigJson(folder: ModelFolder, head: ClassifierHead): Promise<Record<string, unknown>> {
  const file = join(folder.dir, 'config.json');
  const base = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const modelType = String(base.model_type);
  const architecture = decoderClassifierClass(modelType);
  if (!architecture) throw new ModelFolderError(`${file}: model_type ${JSON.stringify(modelType)} has no sequence-classification class Attune can write`);
  const config: Record<string, unknown> = {
    ...base,
    architectures: [architecture],
    num_labels: head.labels.length,
    id2label: Object.fromEntries(head.labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(head.labels.map((l, i) => [l, i])),
    pad_token_id: head.padTokenId,
  };
  if (head.problemType) config.problem_type = head.problemType;
  else delete config.problem_type;
  if (head.pairFormat === 'chat') config.attune_pair_format = 'chat';
  else delete config.attune_pair_format;
  return config;
}

export interface ClassifierExport {
  readonly folder: ModelFolder;
  readonly lora: LoraState;
  /** [num_labels × hidden] in torch.nn.Linear layout. */
  readonly score: Float32Array;
  readonly head: ClassifierHead;
}

export async function writeSequenceClassifier(outDir: string, e: ClassifierExport): Promise<void> {
  const config = await classifierConfigJson(e.folder, e.head);
  const hidden = e.folder.config.hiddenSize;
  const numLabels = e.head.labels.length;
  if (e.score.length !== numLabels * hidden) throw new ModelFolderError(`export: score weight has ${e.score.length} values; [${numLabels}, ${hidden}] needs ${numLabels * hidden}`);
  await writeMergedModel(e.folder, e.lora, outDir, {
    extraTensors: { 'score.weight': { dtype: 'F32', shape: [numLabels, hidden], data: e.score } },
    dropTensors: ['lm_head.weight'],
    // The base's SOURCE.md describes the base, not this classifier (whoever publishes it writes one);
    // a classifier generates nothing, so the base's generation_config.json does not apply either.
    replaceFiles: { 'config.json': `${JSON.stringify(config, null, 2)}\n`, 'SOURCE.md': null, 'generation_config.json': null },
  });
}
