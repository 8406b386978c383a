/**
 * Generates models/attune-tiny-qwen2: a Qwen2-architecture Hugging Face folder small enough to
 * commit: a byte-level BPE trained here on counselling/support dialogue text, then a deterministic
 * random init pre-trained briefly (full fine-tuning on Attune's own engine) on the same dialogues
 * rendered with the chat template, so it is a (very small) language model rather than noise.
 * It exists so every recipe, test and tutorial runs offline through the real model-folder path.
 *
 *   npx tsx --conditions=attune-source scripts/make-embedded-model.ts [--data ../shared/data] [--out models/attune-tiny-qwen2]
 *     [--run runs/<dir> | --resume runs/<dir>]   (the pre-training run directory; --resume continues an interrupted one)
 *
 * Only this script reads the shared corpora; the committed output is self-contained. The tokenizer
 * and the initial weights are byte-for-byte deterministic for the same corpus; the pre-trained
 * weights are deterministic up to float summation order in onnxruntime's multi-threaded kernels.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../core/base/atomic-write.js';
import { parseDecoderConfig } from '../core/model/folder/config.js';
import { expectedTensors } from '../core/model/folder/expected-tensors.js';
import { countWords, trainBpe } from '../core/model/tokenizer/bpe/train-bpe.js';
import { buildTokenizerJson, specialTokenEntries } from '../core/model/tokenizer/bpe/tokenizer-json.js';
import { writeSafetensors } from '../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../core/model/safetensors/writer.js';
import type { Message } from '../core/data/example.js';
import { Xoshiro128 } from '../core/base/rng.js';
import type { RngState } from '../core/base/rng.js';
import { z } from 'zod';
import { definePlugin, defineRecipe } from '../core/kernel/index.js';
import { Kernel } from '../core/kernel/kernel.js';
import { runRecipe } from '../core/kernel/runs/run-recipe.js';
import { EngineSession } from '../core/engine/index.js';
import { exportParameters, loadParameters } from '../core/engine/optim/index.js';
import type { GradientMap, Parameter, StoredTensorMap } from '../core/engine/optim/index.js';
import { readTensorFile, runStage, stageLoopOptions, writeTensorFile } from '../core/train/index.js';
import type { StageLoopOptions, StageWork } from '../core/train/index.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch, readFullParameters } from '../core/model/decoder/index.js';
import type { DecoderBatch } from '../core/model/decoder/index.js';
import { openModelFolder } from '../core/model/folder/open-model-folder.js';
import type { ModelFolder } from '../core/model/folder/open-model-folder.js';

const SEED = 20240607;
const VOCAB_SIZE = 3072;
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
const INIT_STD = 0.02;
const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';
// Qwen2-Instruct's template: a default system turn when the chat has none, ChatML turns, generation header on request.
const CHAT_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" +
  `{{ '<|im_start|>system\\n${DEFAULT_SYSTEM_PROMPT}<|im_end|>\\n' }}` +
  "{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Pre-training: sequences of PRETRAIN_SEQ tokens packed from chat-rendered conversations. */
const PRETRAIN_SEQ = 128;
const PRETRAIN_BATCH = 16;
/** Every HELD_OUT_EVERY-th conversation is held out for the reported held-out loss. */
const HELD_OUT_EVERY = 20;
const HELD_OUT_SEQUENCES = 64;

interface Corpus {
  /** Tokenizer training text: every situation, turn, question and answer. */
  texts: string[];
  /** Pre-training text: ESConv dialogs (seeker → user, supporter → assistant) and CounselChat question → answer. */
  conversations: Message[][];
  bytes: number;
  esconvDialogs: number;
  counselRows: number;
}

function readCorpus(dataDir: string): Corpus {
  const texts: string[] = [];
  const conversations: Message[][] = [];
  let esconvDialogs = 0;
  for (const line of readFileSync(join(dataDir, 'esconv', 'train.json'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const dialog = JSON.parse(line) as { situation?: string; dialog?: { text?: string; speaker?: string }[] };
    esconvDialogs++;
    if (dialog.situation) texts.push(dialog.situation);
    const messages: Message[] = [];
    for (const turn of dialog.dialog ?? []) {
      if (!turn.text) continue;
      texts.push(turn.text);
      const role = turn.speaker === 'sys' ? 'assistant' : 'user';
      const previous = messages.at(-1);
      // Consecutive turns of one speaker become one message, as the chat template expects alternation.
      if (previous?.role === role) previous.content += ` ${turn.text.trim()}`;
      else messages.push({ role, content: turn.text.trim() });
    }
    if (messages.length >= 2) conversations.push(messages);
  }
  let counselRows = 0;
  const seenQuestions = new Set<string>();
  for (const file of readdirSync(join(dataDir, 'counsel_chat')).filter((f) => f.endsWith('.csv')).sort()) {
    const rows = parse(readFileSync(join(dataDir, 'counsel_chat', file), 'utf8'), { columns: true }) as Record<string, string>[];
    for (const row of rows) {
      counselRows++;
      const question = `${row.questionTitle ?? ''}\n${row.questionText ?? ''}`;
      if (!seenQuestions.has(question)) {
        seenQuestions.add(question);
        texts.push(question);
      }
      if (row.answerText) {
        texts.push(row.answerText);
        conversations.push([
          { role: 'user', content: `${row.questionTitle ?? ''}\n${row.questionText ?? ''}`.trim() },
          { role: 'assistant', content: row.answerText.trim() },
        ]);
      }
    }
  }
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  return { texts, conversations, bytes, esconvDialogs, counselRows };
}

/** mulberry32 uniform stream + Box–Muller: tiny, seedable, identical on every platform. */
function normalStream(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function modelConfig(specialIds: Record<(typeof SPECIALS)[number], number>): Record<string, unknown> {
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: 64,
    intermediate_size: 176,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_act: 'silu',
    attention_bias: true,
    attention_dropout: 0.0,
    rms_norm_eps: 1e-6,
    rope_theta: 10000.0,
    rope_scaling: null,
    max_position_embeddings: 2048,
    use_sliding_window: false,
    sliding_window: null,
    max_window_layers: 2,
    vocab_size: VOCAB_SIZE,
    tie_word_embeddings: true,
    initializer_range: INIT_STD,
    torch_dtype: 'float32',
    use_cache: true,
    bos_token_id: specialIds['<|endoftext|>'],
    eos_token_id: specialIds['<|im_end|>'],
  };
}

interface PretrainReport {
  /** The stage-loop options the run used (scripts/embedded-pretrain.yaml). */
  options: StageLoopOptions;
  steps: number;
  seconds: number;
  trainTokens: number;
  heldOutTokens: number;
  /** Mean LM loss (nats/token) on the held-out sequences before and after, and over the last 50 train steps. */
  heldOutBefore: number;
  heldOutAfter: number;
  trainFinal: number;
}

/** Conversations rendered with the chat template, tokenized and packed end to end into fixed-length rows. */
function packSequences(folder: ModelFolder, conversations: readonly Message[][]): number[][] {
  const stream: number[] = [];
  for (const messages of conversations) stream.push(...folder.tokenizer.encodeChat(messages, { addGenerationPrompt: false }));
  const rows: number[][] = [];
  for (let at = 0; at + PRETRAIN_SEQ <= stream.length; at += PRETRAIN_SEQ) rows.push(stream.slice(at, at + PRETRAIN_SEQ));
  return rows;
}

function lmBatch(folder: ModelFolder, rows: readonly number[][]): DecoderBatch {
  return padBatch(
    rows.map((ids) => ({ ids, labels: ids })),
    folder.config,
    { padId: 0, context: 'pre-training' },
  );
}

async function heldOutLoss(folder: ModelFolder, rows: readonly number[][], params: readonly Parameter[]): Promise<number> {
  const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'full' }, dropout: false });
  const session = await EngineSession.create(program);
  let lossSum = 0;
  let count = 0;
  try {
    const weights = Object.fromEntries(params.map((p) => [p.name, p.data]));
    for (let at = 0; at < rows.length; at += PRETRAIN_BATCH) {
      const batch = lmBatch(folder, rows.slice(at, at + PRETRAIN_BATCH));
      const out = await session.run({ ...batch.feeds, ...weights }, { dims: batch.dims });
      lossSum += out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number;
      count += out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number;
    }
  } finally {
    await session.release();
  }
  return lossSum / count;
}

/**
 * Full fine-tuning of every weight (tied embeddings once) with AdamW, warmup + cosine decay and
 * global-norm clipping, on shuffled packed rows; norms and biases are not decayed. It runs as a
 * one-stage recipe through the shared stage loop, so it has a run directory with metrics,
 * checkpoints and `--resume <dir>` like every training run.
 */
async function pretrain(folder: ModelFolder, conversations: readonly Message[][], runDir: string, resume: boolean): Promise<{ params: Parameter[]; report: PretrainReport }> {
  const train = packSequences(folder, conversations.filter((_, i) => i % HELD_OUT_EVERY !== HELD_OUT_EVERY - 1));
  const heldOut = packSequences(folder, conversations.filter((_, i) => i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1)).slice(0, HELD_OUT_SEQUENCES);
  if (train.length < PRETRAIN_BATCH || heldOut.length === 0) throw new Error(`corpus too small to pre-train: ${train.length} train and ${heldOut.length} held-out rows of ${PRETRAIN_SEQ} tokens`);
  const params = await readFullParameters(folder);
  const heldOutBefore = await heldOutLoss(folder, heldOut, params);
  let seconds = 0;
  let used: StageLoopOptions | undefined;
  const recent: number[] = [];
  const weightsFile = 'weights.safetensors';

  const recipe = defineRecipe({
    description: 'pre-trains an embedded model (scripts/make-embedded-model.ts)',
    stages: [{ name: 'pretrain', description: 'full fine-tuning on packed chat-rendered conversations' }],
    defaultConfig: join(import.meta.dirname, 'embedded-pretrain.yaml'),
    config: () => z.strictObject({ trainer: stageLoopOptions }),
    run: async (config, run) => {
      used = config.trainer;
      const { program } = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'full' }, gradientsOf: 'lmLossMean', dropout: false });
      const session = await EngineSession.create(program);
      const rng = Xoshiro128.fromSeed(run.seed);
      let order: number[] = [];
      const started = performance.now();
      const work: StageWork = {
        parameters: params,
        groups: [{ name: 'no-decay', match: (p) => p.shape.length === 1, weightDecay: 0 }],
        runStep: async () => {
          if (order.length < PRETRAIN_BATCH) {
            // A fresh Fisher–Yates permutation each epoch, drawn from the seeded stream.
            order = train.map((_, i) => i);
            for (let i = order.length - 1; i > 0; i--) {
              const j = rng.nextInt(i + 1);
              [order[i], order[j]] = [order[j]!, order[i]!];
            }
          }
          const batch = lmBatch(folder, order.splice(0, PRETRAIN_BATCH).map((i) => train[i]!));
          const out = await session.run({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) }, { dims: batch.dims });
          const loss = (out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number);
          recent.push(loss);
          if (recent.length > 50) recent.shift();
          const gradients: GradientMap = Object.fromEntries(params.map((p) => [p.name, out[p.name]!.data as Float32Array]));
          return { gradients, metrics: { loss }, tokens: PRETRAIN_BATCH * PRETRAIN_SEQ, samples: PRETRAIN_BATCH };
        },
        evaluate: async () => ({ loss: await heldOutLoss(folder, heldOut, params) }),
        state: () => ({ rng: rng.state(), order, recent }),
        restore: (value) => {
          const state = value as { rng: RngState; order: number[]; recent: number[] };
          rng.restore(state.rng);
          order = [...state.order];
          recent.splice(0, recent.length, ...state.recent);
        },
        saveWeights: (dir) => writeTensorFile(join(dir, weightsFile), exportParameters(params)),
        loadWeights: async (dir) => loadParameters(params, (await readTensorFile(join(dir, weightsFile))) as StoredTensorMap, join(dir, weightsFile)),
        saveFinal: (dir) => writeTensorFile(join(dir, weightsFile), exportParameters(params)),
      };
      try {
        const result = await runStage(run, { stage: 'pretrain', options: config.trainer, work, evalSplit: 'held-out' });
        seconds = (performance.now() - started) / 1000;
        return { metrics: { steps: result.steps, ...result.metrics } };
      } finally {
        await session.release();
      }
    },
  });
  const kernel = await new Kernel().load({
    builtins: [definePlugin({ name: 'embedded', version: '0.1.0', register: (ctx) => ctx.recipes.register('embedded-pretrain', recipe) })],
  });
  const outcome = await runRecipe(kernel, { recipe: 'embedded-pretrain', interactive: true, ...(resume ? { resume: runDir } : { out: runDir }) });
  if (outcome.status !== 'completed') {
    console.error(`pre-training ${outcome.status}; continue with: npx tsx --conditions=attune-source scripts/make-embedded-model.ts --resume ${runDir}`);
    process.exit(130);
  }
  const steps = outcome.result?.metrics.steps ?? 0;
  // The stage loop's final evaluation is the held-out loss after pre-training.
  const heldOutAfter = outcome.result?.metrics.eval_loss ?? Number.NaN;
  const trainFinal = recent.reduce((a, b) => a + b, 0) / recent.length;
  return {
    params,
    report: { options: used as StageLoopOptions, steps, seconds, trainTokens: train.length * PRETRAIN_SEQ, heldOutTokens: heldOut.length * PRETRAIN_SEQ, heldOutBefore, heldOutAfter, trainFinal },
  };
}

async function main(): Promise<void> {
  const repo = resolve(import.meta.dirname, '..');
  const dataDir = resolve(argument('data', join(repo, '..', 'shared', 'data')));
  const outDir = resolve(argument('out', join(repo, 'models', 'attune-tiny-qwen2')));

  const corpus = readCorpus(dataDir);
  const started = performance.now();
  const bpe = trainBpe(countWords(corpus.texts), { vocabSize: VOCAB_SIZE - SPECIALS.length });
  const trainSeconds = (performance.now() - started) / 1000;
  if (bpe.tokens.length + SPECIALS.length !== VOCAB_SIZE) {
    throw new Error(`corpus too small: BPE stopped at ${bpe.tokens.length} tokens, wanted ${VOCAB_SIZE - SPECIALS.length}`);
  }
  const added = specialTokenEntries(bpe, SPECIALS);
  const specialIds = Object.fromEntries(added.map((t) => [t.content, t.id])) as Record<(typeof SPECIALS)[number], number>;

  const configJson = modelConfig(specialIds);
  const config = parseDecoderConfig(configJson, 'config.json');
  const normal = normalStream(SEED);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of expectedTensors(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    // Norm gains near 1 (not exactly 1) so a reference check notices a gain that is ignored.
    const base = name.endsWith('layernorm.weight') || name === 'model.norm.weight' ? 1 : 0;
    for (let i = 0; i < data.length; i++) data[i] = base + INIT_STD * normal();
    tensors[name] = { dtype: 'F32', shape, data };
  }

  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    bos_token: null,
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    model_max_length: 2048,
    pad_token: '<|endoftext|>',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
  const generationConfig = {
    bos_token_id: specialIds['<|endoftext|>'],
    eos_token_id: [specialIds['<|im_end|>'], specialIds['<|endoftext|>']],
    pad_token_id: specialIds['<|endoftext|>'],
    do_sample: true,
    temperature: 0.7,
    top_p: 0.8,
    top_k: 20,
    repetition_penalty: 1.05,
  };

  const writeFolder = async (dir: string, weights: Record<string, TensorToWrite>, report: PretrainReport | null): Promise<void> => {
    await writeJsonAtomic(join(dir, 'config.json'), configJson);
    await writeJsonAtomic(join(dir, 'generation_config.json'), generationConfig);
    await writeJsonAtomic(join(dir, 'tokenizer_config.json'), tokenizerConfig);
    await writeFileAtomic(join(dir, 'tokenizer.json'), `${JSON.stringify(buildTokenizerJson(bpe, SPECIALS))}\n`);
    await writeSafetensors(join(dir, 'model.safetensors'), weights, { metadata: { format: 'pt' } });
    if (!report) return;
    const digest = (file: string): string => createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
    const parameters = Object.values(weights).reduce((n, t) => n + t.data.length, 0);
    await writeFileAtomic(join(dir, 'SOURCE.md'), sourceMarkdown(corpus, bpe.merges.length, parameters, digest, report));
  };

  // The random init goes through a real model folder so pre-training uses exactly the path every user takes.
  const initDir = await mkdtemp(join(tmpdir(), 'attune-embedded-init-'));
  let pretrained: { params: Parameter[]; report: PretrainReport };
  try {
    await writeFolder(initDir, tensors, null);
    const resume = process.argv.includes('--resume');
    const runDir = resolve(argument(resume ? 'resume' : 'run', join(repo, 'runs', `embedded-pretrain-${Date.now()}`)));
    pretrained = await pretrain(await openModelFolder(initDir), corpus.conversations, runDir, resume);
  } finally {
    await rm(initDir, { recursive: true, force: true });
  }
  const trained: Record<string, TensorToWrite> = {};
  for (const p of pretrained.params) trained[p.name] = { dtype: 'F32', shape: [...p.shape], data: p.data };
  await writeDirAtomic(outDir, (dir) => writeFolder(dir, trained, pretrained.report));
  const r = pretrained.report;
  console.log(`pre-trained ${r.steps} steps in ${r.seconds.toFixed(0)} s: held-out loss ${r.heldOutBefore.toFixed(3)} -> ${r.heldOutAfter.toFixed(3)}, train ${r.trainFinal.toFixed(3)}`);
  console.log(`wrote ${outDir}: vocab ${VOCAB_SIZE} (${bpe.merges.length} merges, trained in ${trainSeconds.toFixed(1)} s on ${(corpus.bytes / 1e6).toFixed(1)} MB)`);
}

function sourceMarkdown(corpus: Corpus, merges: number, parameters: number, digest: (file: string) => string, r: PretrainReport): string {
  return `# attune-tiny-qwen2

The default model of Attune: a tiny Qwen2-architecture Hugging Face folder, **briefly pre-trained**
on support-conversation text. It lets every recipe, test and tutorial run offline through exactly the
code path a real checkpoint takes. It is a (very small) language model: it has learned the chat format
and common words of support dialogue, so fine-tuning starts from a sensible distribution, but at
${parameters.toLocaleString('en-US')} parameters its replies are at best loosely fluent.

Generated by \`scripts/make-embedded-model.ts\`. The tokenizer and the initial weights are deterministic
(re-running on the same corpus reproduces them byte for byte); the pre-trained weights are reproducible
up to float rounding: onnxruntime's multi-threaded kernels may sum in a different order from run to run,
so a re-run may give weights (and losses) that differ slightly,
not bitwise-identical files.

## Model
- \`config.json\`: \`Qwen2ForCausalLM\`, hidden 64, 2 layers, 4 attention heads, 2 key/value heads
  (head_dim 16), intermediate 176, q/k/v biases, tied input/output embeddings, RoPE θ = 10000,
  RMSNorm ε = 1e-6, max positions 2048, vocab ${VOCAB_SIZE}, float32.
- \`model.safetensors\`: ${parameters.toLocaleString('en-US')} float32 parameters.
  - Initialisation: every tensor is drawn from N(0, ${INIT_STD}²) with a mulberry32 + Box–Muller stream seeded
    with ${SEED}, in the order of the expected tensor list; RMSNorm gains are 1 + that noise.
  - Pre-training: full fine-tuning of every weight (the tied embedding once) with Attune's own engine
    (\`core/model/decoder\` traced with \`trainable: { kind: 'full' }\`, \`core/engine/optim\`): causal LM loss on
    every token of the conversations below rendered with the chat template (default system turn included),
    tokenized and packed end to end into rows of ${PRETRAIN_SEQ} tokens; ${r.steps} steps of ${PRETRAIN_BATCH} rows
    (${(r.steps * PRETRAIN_BATCH * PRETRAIN_SEQ).toLocaleString('en-US')} tokens seen, from ${r.trainTokens.toLocaleString('en-US')} training tokens),
    rows shuffled each epoch by xoshiro128** seeded with ${SEED}; AdamW (β 0.9/0.999, ε 1e-8, weight decay
    ${r.options.weightDecay}, none on norm gains and biases), peak lr ${r.options.lr}, ${r.options.warmupSteps} warmup steps then ${r.options.schedule} decay to
    ${r.options.minLrRatio * 100} %, global gradient norm clipped to ${r.options.maxGradNorm}. No dropout. Trained by the shared stage loop
    (\`core/train\` runStage; options in \`scripts/embedded-pretrain.yaml\`), resumable with \`--resume <run dir>\`. ${r.seconds.toFixed(0)} s on 2 CPU cores.
  - Held out: every ${HELD_OUT_EVERY}th conversation (never trained on); its first ${r.heldOutTokens.toLocaleString('en-US')} packed tokens
    give the held-out loss. Mean LM loss, nats/token (ln ${VOCAB_SIZE} = ${Math.log(VOCAB_SIZE).toFixed(2)}):
    held-out ${r.heldOutBefore.toFixed(3)} at the random init → **${r.heldOutAfter.toFixed(3)}** after pre-training;
    train ${r.trainFinal.toFixed(3)} (mean of the last 50 steps).
- \`generation_config.json\`: stop on \`<|im_end|>\` or \`<|endoftext|>\`, Qwen2-Instruct sampling defaults.

## Tokenizer
- \`tokenizer.json\`: byte-level BPE in the Hugging Face tokenizers format, laid out like Qwen2's
  (NFC normalizer, Qwen2 split pattern + ByteLevel pre-tokenizer, ByteLevel decoder):
  256 byte tokens + ${merges} merges, then the special tokens \`<|endoftext|>\`, \`<|im_start|>\`, \`<|im_end|>\`
  (ids ${VOCAB_SIZE - 3}–${VOCAB_SIZE - 1}). Any UTF-8 text round-trips.
- Trained by the deterministic trainer in \`core/model/tokenizer/bpe/\` (most frequent pair first, ties
  broken by the pair's strings, pairs seen fewer than 2 times never merged) on ${(corpus.bytes / 1e6).toFixed(2)} MB of English
  support-conversation text: the situations and turns of ${corpus.esconvDialogs} ESConv training dialogs
  (\`esconv/train.json\`, CC BY-NC 4.0, thu-coai) and the questions and answers of ${corpus.counselRows} CounselChat rows
  (\`counsel_chat/20200325_counsel_chat.csv\`, MIT, nbertagnolli/counsel-chat). No corpus text is stored here,
  only the vocabulary and merges derived from it. The pre-training conversations are the same corpora:
  each ESConv dialog (seeker turns as \`user\`, supporter turns as \`assistant\`, consecutive turns of one
  speaker joined) and each CounselChat answer with its question (title and text as \`user\`, answer as
  \`assistant\`): ${corpus.conversations.length} conversations. The weights are derived from this text and not a copy of it,
  though like any language model they may reproduce frequent phrases.
- \`tokenizer_config.json\`: \`Qwen2Tokenizer\`, eos \`<|im_end|>\`, pad \`<|endoftext|>\`, no bos, and Qwen2-Instruct's
  ChatML chat template (\`<|im_start|>role\\n…<|im_end|>\\n\`; a default system turn
  "${DEFAULT_SYSTEM_PROMPT}" when the conversation has none; \`<|im_start|>assistant\\n\` with add_generation_prompt).

## Checksums (sha256)
- model.safetensors: \`${digest('model.safetensors')}\`
- tokenizer.json: \`${digest('tokenizer.json')}\`
`;
}

await main();
