/**
 * Builds a model's tokenizer from the files in its folder. The JSON is read here and handed to the
 * tokenizer constructor, so transformers.js never resolves a model id and never fetches.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { TokenizerError } from './errors.js';
import { ModelTokenizer } from './model-tokenizer.js';

// transformers.js is large, so it loads with the first tokenizer rather than with `attune/model`.
const importTransformers = async () => {
  const transformers = await import('@huggingface/transformers');
  // Attune never downloads at run time; this also guards any other transformers.js use in the process.
  transformers.env.allowRemoteModels = false;
  return transformers;
};
type Transformers = Awaited<ReturnType<typeof importTransformers>>;
let transformersModule: Promise<Transformers> | undefined;
const loadTransformers = (): Promise<Transformers> => (transformersModule ??= importTransformers());

type TokenizerClass = new (tokenizerJSON: unknown, tokenizerConfig: unknown) => PreTrainedTokenizer;

export async function loadTokenizer(dir: string): Promise<ModelTokenizer> {
  const tokenizerJson = await readJson(join(dir, 'tokenizer.json'), false);
  const config = ((await readJson(join(dir, 'tokenizer_config.json'), true)) ?? {}) as Record<string, unknown>;
  // Newer exports keep the template beside the config instead of inside it; the file wins, as in transformers.
  const templateFile = await readText(join(dir, 'chat_template.jinja'));
  if (templateFile !== undefined) config.chat_template = templateFile;
  else if (config.chat_template === undefined) {
    const legacy = (await readJson(join(dir, 'chat_template.json'), true)) as { chat_template?: unknown } | undefined;
    if (legacy?.chat_template !== undefined) config.chat_template = legacy.chat_template;
  }
  const cls = tokenizerClass(await loadTransformers(), config.tokenizer_class);
  try {
    return new ModelTokenizer(dir, new cls(tokenizerJson, config));
  } catch (error) {
    throw new TokenizerError(`${join(dir, 'tokenizer.json')}: cannot build the tokenizer: ${(error as Error).message}`);
  }
}

/** The class transformers' AutoTokenizer would pick from `tokenizer_class` (Fast suffix dropped). */
function tokenizerClass(transformers: Transformers, declared: unknown): TokenizerClass {
  const name = typeof declared === 'string' ? declared.replace(/Fast$/, '') : 'PreTrainedTokenizer';
  const exported = (transformers as Record<string, unknown>)[name];
  if (typeof exported === 'function' && name.endsWith('Tokenizer')) return exported as TokenizerClass;
  return transformers.PreTrainedTokenizer as unknown as TokenizerClass;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TokenizerError(`${path}: cannot read (${(error as Error).message})`);
  }
}

async function readJson(path: string, optional: boolean): Promise<unknown> {
  const text = await readText(path);
  if (text === undefined) {
    if (optional) return undefined;
    throw new TokenizerError(`${path}: not found`, 'Attune needs the fast-tokenizer file tokenizer.json in the model folder');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TokenizerError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
