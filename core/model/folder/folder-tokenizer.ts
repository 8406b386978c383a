/** A folder's tokenizer, checked to fit the weights: no token id may reach past `vocab_size`. */
import { join } from 'node:path';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import type { ModelTokenizer } from '../tokenizer/model-tokenizer.js';
import { ModelFolderError } from './errors.js';

export async function loadFittingTokenizer(dir: string, vocabSize: number, configFile: string): Promise<ModelTokenizer> {
  const tokenizer = await loadTokenizer(dir);
  if (tokenizer.idLimit <= 0) {
    throw new ModelFolderError(`${join(dir, 'tokenizer.json')}: the vocabulary is empty (no token ids)`, 'the file is damaged or a stub; copy tokenizer.json from the model it belongs to');
  }
  if (tokenizer.idLimit > vocabSize) {
    throw new ModelFolderError(
      `${join(dir, 'tokenizer.json')}: token ids reach ${tokenizer.idLimit - 1} but ${configFile} has vocab_size ${vocabSize}`,
      'the tokenizer and the weights come from different models',
    );
  }
  return tokenizer;
}
