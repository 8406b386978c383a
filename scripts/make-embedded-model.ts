/**
 * Generates an embedded model folder (models/attune-tiny-qwen2 or models/attune-small-qwen2): a
 * Qwen2-architecture Hugging Face folder small enough to commit. A byte-level BPE is trained here
 * on the corpus, then a deterministic random init is pre-trained (full fine-tuning on Attune's own
 * engine, the shared stage loop) on the corpus's conversations rendered with the chat template,
 * so it is a language model rather than noise. These folders let every recipe, test and tutorial
 * run offline through the real model-folder path.
 *
 *   npx tsx --conditions=attune-source scripts/make-embedded-model.ts --model tiny|small [--data ../shared/data] [--out models/<name>]
 *     [--run runs/<dir> | --resume runs/<dir>]   (the pre-training run directory; --resume continues an interrupted one)
 *     [--config <yaml>]                          (stage-loop options instead of scripts/embedded/pretrain-<model>.yaml)
 *
 * Only this script reads the shared corpora; the committed output is self-contained.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../core/base/atomic-write.js';
import { parseDecoderConfig } from '../core/model/folder/config.js';
import { openModelFolder } from '../core/model/folder/open-model-folder.js';
import { float32ToBfloat16 } from '../core/model/safetensors/half.js';
import { writeSafetensors } from '../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../core/model/safetensors/writer.js';
import { countWords, trainBpe } from '../core/model/tokenizer/bpe/train-bpe.js';
import { buildTokenizerJson, specialTokenEntries } from '../core/model/tokenizer/bpe/tokenizer-json.js';
import { SPECIALS, generationConfig, modelConfig, tokenizerConfig } from './embedded/folder-files.js';
import type { SpecialIds } from './embedded/folder-files.js';
import { initialWeights } from './embedded/init-weights.js';
import { heldOutRows, pretrain } from './embedded/pretrain.js';
import type { PretrainReport } from './embedded/pretrain.js';
import { sourceMarkdown } from './embedded/source-md.js';
import { EMBEDDED_SPECS } from './embedded/spec.js';

const SEED = 20240607;

function argument(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const repo = resolve(import.meta.dirname, '..');
  const which = argument('model');
  const spec = which ? EMBEDDED_SPECS[which] : undefined;
  if (!spec) {
    console.error(`--model must be one of: ${Object.keys(EMBEDDED_SPECS).join(', ')} (got ${which ?? 'nothing'})`);
    process.exit(2);
  }
  const dataDir = resolve(argument('data', join(repo, '..', 'shared', 'data'))!);
  const outDir = resolve(argument('out', join(repo, 'models', spec.name))!);

  const corpus = await spec.readCorpus(dataDir);
  const started = performance.now();
  const bpe = trainBpe(countWords(corpus.tokenizerTexts), { vocabSize: spec.vocabSize - SPECIALS.length });
  console.error(`tokenizer: ${bpe.merges.length} merges in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (bpe.tokens.length + SPECIALS.length !== spec.vocabSize) {
    throw new Error(`corpus too small: BPE stopped at ${bpe.tokens.length} tokens, wanted ${spec.vocabSize - SPECIALS.length}`);
  }
  const added = specialTokenEntries(bpe, SPECIALS);
  const ids = Object.fromEntries(added.map((t) => [t.content, t.id])) as SpecialIds;
  const configJson = modelConfig(spec, ids);
  const init = initialWeights(parseDecoderConfig({ ...configJson, torch_dtype: 'float32' }, 'config.json'), SEED);

  const writeFolder = async (dir: string, weights: Record<string, TensorToWrite>, facts: { report: PretrainReport } | null): Promise<void> => {
    await writeJsonAtomic(join(dir, 'config.json'), facts ? configJson : { ...configJson, torch_dtype: 'float32' });
    await writeJsonAtomic(join(dir, 'generation_config.json'), generationConfig(ids));
    await writeJsonAtomic(join(dir, 'tokenizer_config.json'), tokenizerConfig(added));
    await writeFileAtomic(join(dir, 'tokenizer.json'), `${JSON.stringify(buildTokenizerJson(bpe, SPECIALS))}\n`);
    await writeSafetensors(join(dir, 'model.safetensors'), weights, { metadata: { format: 'pt' } });
    if (!facts) return;
    const digest = (file: string): string => createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
    const parameters = Object.values(weights).reduce((total, t) => total + t.data.length, 0);
    await writeFileAtomic(join(dir, 'SOURCE.md'), sourceMarkdown({ model: which!, spec, corpus, merges: bpe.merges.length, parameters, seed: SEED, report: facts.report, digest }));
  };

  // The random init goes through a real model folder so pre-training uses exactly the path every user takes.
  const initDir = await mkdtemp(join(tmpdir(), 'attune-embedded-init-'));
  try {
    await writeFolder(initDir, init, null);
    const folder = await openModelFolder(initDir);
    const heldOut = heldOutRows(folder, corpus.heldOut, { length: spec.sequenceLength, rows: spec.heldOutRows }, SEED);
    const heldOutBytes = heldOut.reduce((total, row) => total + Buffer.byteLength(folder.tokenizer.decode(row)), 0);
    const resume = process.argv.includes('--resume');
    const runDir = resolve(argument(resume ? 'resume' : 'run', join(repo, 'runs', `${spec.name}-pretrain-${Date.now()}`))!);
    const config = resolve(argument('config', spec.pretrainConfig)!);
    const outcome = await pretrain(folder, spec, { train: corpus.train, heldOut, heldOutBytes }, { dir: runDir, resume, config });
    if (outcome.status !== 'completed' || !('params' in outcome)) {
      console.error(`pre-training ${outcome.status}; continue with: npx tsx --conditions=attune-source scripts/make-embedded-model.ts --model ${which} --resume ${runDir}`);
      process.exit(130);
    }
    const trained: Record<string, TensorToWrite> = {};
    for (const p of outcome.params) {
      trained[p.name] = spec.dtype === 'BF16' ? { dtype: 'BF16', shape: [...p.shape], data: float32ToBfloat16(p.data) } : { dtype: 'F32', shape: [...p.shape], data: p.data };
    }
    await writeDirAtomic(outDir, (dir) => writeFolder(dir, trained, { report: outcome.report }));
    const r = outcome.report;
    console.log(`pre-trained ${r.steps} steps in ${r.seconds.toFixed(0)} s: held-out loss ${r.heldOutBefore.toFixed(3)} -> ${r.heldOutAfter.toFixed(3)}, train ${r.trainFinal.toFixed(3)}`);
    console.log(`wrote ${outDir}: vocab ${spec.vocabSize} (${bpe.merges.length} merges)`);
  } finally {
    await rm(initDir, { recursive: true, force: true });
  }
}

await main();
