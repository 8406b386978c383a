/**
 * Generates models/attune-tiny-qwen2: a Qwen2-architecture Hugging Face folder small enough to
 * commit (random weights, a byte-level BPE trained here on counselling/support dialogue text).
 * It exists so every recipe, test and tutorial runs offline through the real model-folder path.
 *
 *   npx tsx scripts/make-embedded-model.ts [--data ../shared/data] [--out models/attune-tiny-qwen2]
 *
 * Only this script reads the shared corpora; the committed output is self-contained. Output is
 * byte-for-byte deterministic for the same corpus.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../core/kernel/runs/atomic-write.js';
import { parseDecoderConfig } from '../core/model/folder/config.js';
import { expectedTensors } from '../core/model/folder/expected-tensors.js';
import { countWords, trainBpe } from '../core/model/tokenizer/bpe/train-bpe.js';
import { buildTokenizerJson, specialTokenEntries } from '../core/model/tokenizer/bpe/tokenizer-json.js';
import { writeSafetensors } from '../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../core/model/safetensors/writer.js';

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

interface Corpus {
  texts: string[];
  bytes: number;
  esconvDialogs: number;
  counselRows: number;
}

function readCorpus(dataDir: string): Corpus {
  const texts: string[] = [];
  let esconvDialogs = 0;
  for (const line of readFileSync(join(dataDir, 'esconv', 'train.json'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const dialog = JSON.parse(line) as { situation?: string; dialog?: { text?: string }[] };
    esconvDialogs++;
    if (dialog.situation) texts.push(dialog.situation);
    for (const turn of dialog.dialog ?? []) if (turn.text) texts.push(turn.text);
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
      if (row.answerText) texts.push(row.answerText);
    }
  }
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  return { texts, bytes, esconvDialogs, counselRows };
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

  await writeDirAtomic(outDir, async (dir) => {
    await writeJsonAtomic(join(dir, 'config.json'), configJson);
    await writeJsonAtomic(join(dir, 'generation_config.json'), generationConfig);
    await writeJsonAtomic(join(dir, 'tokenizer_config.json'), tokenizerConfig);
    await writeFileAtomic(join(dir, 'tokenizer.json'), `${JSON.stringify(buildTokenizerJson(bpe, SPECIALS))}\n`);
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
    const digest = (file: string): string => createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
    const parameters = Object.values(tensors).reduce((n, t) => n + t.data.length, 0);
    await writeFileAtomic(join(dir, 'SOURCE.md'), sourceMarkdown(corpus, bpe.merges.length, parameters, digest));
  });
  console.log(`wrote ${outDir}: vocab ${VOCAB_SIZE} (${bpe.merges.length} merges, trained in ${trainSeconds.toFixed(1)} s on ${(corpus.bytes / 1e6).toFixed(1)} MB)`);
}

function sourceMarkdown(corpus: Corpus, merges: number, parameters: number, digest: (file: string) => string): string {
  return `# attune-tiny-qwen2

The default model of Attune: a tiny Qwen2-architecture Hugging Face folder with **random weights**.
It lets every recipe, test and tutorial run offline through exactly the code path a real checkpoint
takes. It has learned nothing; its replies are noise until you fine-tune it (and even then, it is tiny).

Generated by \`scripts/make-embedded-model.ts\` (deterministic: re-running it on the same corpus
reproduces these files byte for byte).

## Model
- \`config.json\`: \`Qwen2ForCausalLM\`, hidden 64, 2 layers, 4 attention heads, 2 key/value heads
  (head_dim 16), intermediate 176, q/k/v biases, tied input/output embeddings, RoPE θ = 10000,
  RMSNorm ε = 1e-6, max positions 2048, vocab ${VOCAB_SIZE}, float32.
- \`model.safetensors\`: ${parameters.toLocaleString('en-US')} parameters. Every tensor is drawn from
  N(0, ${INIT_STD}²) with a mulberry32 + Box–Muller stream seeded with ${SEED}, in the order of the
  expected tensor list; RMSNorm gains are 1 + that noise (not exactly 1, so a check that ignored them would fail).
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
  only the vocabulary and merges derived from it.
- \`tokenizer_config.json\`: \`Qwen2Tokenizer\`, eos \`<|im_end|>\`, pad \`<|endoftext|>\`, no bos, and Qwen2-Instruct's
  ChatML chat template (\`<|im_start|>role\\n…<|im_end|>\\n\`; a default system turn
  "${DEFAULT_SYSTEM_PROMPT}" when the conversation has none; \`<|im_start|>assistant\\n\` with add_generation_prompt).

## Checksums (sha256)
- model.safetensors: \`${digest('model.safetensors')}\`
- tokenizer.json: \`${digest('tokenizer.json')}\`
`;
}

await main();
