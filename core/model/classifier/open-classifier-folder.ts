/**
 * Opens a Hugging Face sequence-classifier folder: config (architecture, labels), safetensors
 * headers checked against it (every missing or misshapen tensor listed), and the tokenizer.
 * Pickle checkpoints (`pytorch_model.bin`) are refused: unpickling runs arbitrary code.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkExpectedTensors } from '../folder/check-weights.js';
import { ModelFolderError } from '../folder/errors.js';
import { loadFittingTokenizer } from '../folder/folder-tokenizer.js';
import { expectedTensors } from '../folder/expected-tensors.js';
import { readJsonFile } from '../folder/json-file.js';
import { resolveModelFolder } from '../folder/resolve.js';
import type { ResolveOptions } from '../folder/resolve.js';
import { INDEX_FILE, SINGLE_FILE, SafetensorsWeights } from '../safetensors/sharded.js';
import type { ModelTokenizer } from '../tokenizer/model-tokenizer.js';
import { mergeClassifierAdapter } from './classifier-adapter.js';
import { parseClassifierConfig } from './classifier-config.js';
import type { ClassifierConfig } from './classifier-config.js';
import { framingTokens } from './classifier-encode.js';
import type { FramingTokens } from './classifier-encode.js';
import { encoderTensorNames } from './encoder-weights.js';

export interface ClassifierFolder {
  readonly dir: string;
  readonly config: ClassifierConfig;
  readonly weights: SafetensorsWeights;
  readonly tokenizer: ModelTokenizer;
  /** [CLS]/[SEP] ids (encoders). */
  readonly framing: FramingTokens | null;
  /** Longest input in tokens: tokenizer_config's model_max_length, capped by the position table. */
  readonly maxLength: number;
  readonly unusedTensors: string[];
  /** A PEFT adapter merged at load, and what it changed. */
  readonly adapter: { dir: string; merged: readonly string[]; replaced: readonly string[] } | null;
  /** Removes the merged weights' temporary folder (when an adapter was merged). */
  dispose(): Promise<void>;
}

export interface OpenClassifierOptions extends ResolveOptions {
  /** A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) to merge at load. */
  readonly adapter?: string;
}

const PICKLE = /\.(bin|pt|pth|ckpt)$/;

export async function openClassifierFolder(nameOrPath: string, options: OpenClassifierOptions = {}): Promise<ClassifierFolder> {
  const dir = resolveModelFolder(nameOrPath, options);
  const entries = await readdir(dir);
  if (!entries.includes(SINGLE_FILE) && !entries.includes(INDEX_FILE)) {
    const pickles = entries.filter((e) => PICKLE.test(e));
    if (pickles.length > 0) {
      throw new ModelFolderError(
        `${dir}: the weights are ${pickles.join(', ')} (a Python pickle), which Attune does not load: unpickling can run arbitrary code`,
        'convert once with Python: AutoModelForSequenceClassification.from_pretrained(dir).save_pretrained(dir, safe_serialization=True), which writes model.safetensors',
      );
    }
  }
  const configFile = join(dir, 'config.json');
  const config = parseClassifierConfig(await readJsonFile(configFile), configFile);
  const baseWeights = await SafetensorsWeights.openFolder(dir);
  const expected =
    config.kind === 'encoder'
      ? encoderTensorNames(config.encoder, config.numLabels)
      : [...expectedTensors(config.decoder), { name: 'score.weight', shape: [config.numLabels, config.decoder.hiddenSize] }];
  const { unused } = checkExpectedTensors(expected, baseWeights, configFile, `${config.architecture} config`);
  const adapterDir = options.adapter === undefined ? undefined : resolve(options.baseDir ?? process.cwd(), options.adapter);
  const merged = adapterDir === undefined ? undefined : await mergeClassifierAdapter(baseWeights, adapterDir);
  const weights = merged?.weights ?? baseWeights;
  const tokenizer = await loadFittingTokenizer(dir, config.kind === 'encoder' ? config.encoder.vocabSize : config.decoder.vocabSize, configFile);
  const tokenizerConfig = ((await readJsonFile(join(dir, 'tokenizer_config.json'), true)) ?? {}) as Record<string, unknown>;
  const framing = framingTokens(tokenizer, config, { cls: tokenName(tokenizerConfig.cls_token), sep: tokenName(tokenizerConfig.sep_token) });
  // RoBERTa's positions start after padding_idx, so its table holds max_position_embeddings − padding_idx − 1 tokens.
  const positionLimit =
    config.kind === 'encoder'
      ? config.encoder.family === 'bert'
        ? config.encoder.maxPositions
        : config.encoder.maxPositions - config.encoder.padTokenId - 1
      : config.decoder.maxPositionEmbeddings;
  const declared = typeof tokenizerConfig.model_max_length === 'number' && tokenizerConfig.model_max_length > 0 ? tokenizerConfig.model_max_length : Infinity;
  return {
    dir,
    config,
    weights,
    tokenizer,
    framing,
    maxLength: Math.min(positionLimit, declared),
    unusedTensors: unused,
    adapter: merged && adapterDir ? { dir: adapterDir, merged: merged.merged, replaced: merged.replaced } : null,
    dispose: async () => merged?.dispose(),
  };
}

/** tokenizer_config special tokens are strings or AddedToken objects ({ content }). */
function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}
