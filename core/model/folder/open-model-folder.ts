/**
 * Opens a Hugging Face model folder: config, optional generation config, safetensors headers
 * (checked against the architecture) and tokenizer. Weights stay on disk until asked for.
 */
import { join } from 'node:path';
import { SafetensorsWeights } from '../safetensors/sharded.js';
import type { ModelTokenizer } from '../tokenizer/model-tokenizer.js';
import { checkWeights } from './check-weights.js';
import { loadFittingTokenizer } from './folder-tokenizer.js';
import { parseDecoderConfig } from './config.js';
import type { DecoderConfig } from './config.js';
import { parseGenerationConfig } from './generation-config.js';
import type { GenerationConfig } from './generation-config.js';
import { readJsonFile } from './json-file.js';
import { ModelFolderError } from './errors.js';
import { resolveModelFolder } from './resolve.js';
import type { ResolveOptions } from './resolve.js';

export interface ModelFolder {
  dir: string;
  config: DecoderConfig;
  generation: GenerationConfig | null;
  weights: SafetensorsWeights;
  tokenizer: ModelTokenizer;
  /** Tensors in the files the architecture does not use (ignored). */
  unusedTensors: string[];
  /** Ids that end a reply: generation_config eos, else config eos, plus the tokenizer's eos. */
  stopTokenIds: number[];
}

/** `nameOrPath` as for `resolveModelFolder` (default: the embedded model). */
export async function openModelFolder(nameOrPath?: string, options: ResolveOptions = {}): Promise<ModelFolder> {
  const dir = resolveModelFolder(nameOrPath, options);
  const configFile = join(dir, 'config.json');
  const config = parseDecoderConfig(await readJsonFile(configFile), configFile);
  const generationFile = join(dir, 'generation_config.json');
  const generationRaw = await readJsonFile(generationFile, true);
  const generation = generationRaw === undefined ? null : parseGenerationConfig(generationRaw, generationFile);
  const weights = await SafetensorsWeights.openFolder(dir);
  const { unused } = checkWeights(config, weights, configFile);
  const tokenizer = await loadFittingTokenizer(dir, config.vocabSize, configFile);
  const eos = generation && generation.eosTokenIds.length > 0 ? generation.eosTokenIds : config.eosTokenIds;
  const stop = new Set(eos);
  if (tokenizer.eos) stop.add(tokenizer.eos.id);
  // An end-of-sequence id the model can never produce would make every reply run to max tokens.
  const outside = [...stop].filter((id) => id >= config.vocabSize);
  if (outside.length > 0) {
    const file = generation && generation.eosTokenIds.length > 0 ? generationFile : configFile;
    throw new ModelFolderError(
      `${file}: eos_token_id ${outside.join(', ')} is outside the vocabulary (vocab_size ${config.vocabSize} in ${configFile})`,
      'the config and the weights come from different models, or the id is mistyped; use the eos id of the tokenizer (tokenizer_config.json eos_token)',
    );
  }
  return { dir, config, generation, weights, tokenizer, unusedTensors: unused, stopTokenIds: [...stop] };
}
