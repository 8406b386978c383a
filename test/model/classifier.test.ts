import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../core/cli/main.js';
import { EngineSession } from '../../core/engine/index.js';
import {
  CLASSIFIER_INPUTS,
  CLASSIFIER_OUTPUTS,
  SequenceClassifier,
  buildClassifierProgram,
  classifierBatch,
  encodeClassifierInput,
  encoderTensorNames,
  openClassifierFolder,
  parseClassifierConfig,
  truncateLongestFirst,
} from '../../core/model/classifier/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import type { ClassifierFolder, ClassifierInput, PaddingSide } from '../../core/model/classifier/index.js';
import { ModelFolderError } from '../../core/model/folder/errors.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { SafetensorsFile } from '../../core/model/safetensors/reader.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';
import { expectedTensors } from '../../core/model/folder/expected-tensors.js';
import { referenceForward } from './reference/reference-decoder.js';
import { referenceEncoderLogits } from './reference/reference-encoder.js';
import { bertConfig, qwen2ClassifierConfig, robertaConfig, writeClassifierFolder } from './reference/classifier-folders.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function folderFor(config: Record<string, unknown>, options: Parameters<typeof writeClassifierFolder>[1] = {}): Promise<string> {
  const dir = await writeClassifierFolder(config, options);
  dirs.push(dir);
  return dir;
}

async function tensors64(folder: ClassifierFolder): Promise<Map<string, Float64Array>> {
  const c = folder.config;
  const names = c.kind === 'encoder' ? encoderTensorNames(c.encoder, c.numLabels).map((t) => t.name) : [...expectedTensors(c.decoder).map((t) => t.name), 'score.weight'];
  const out = new Map<string, Float64Array>();
  for (const name of names) out.set(name, Float64Array.from(await folder.weights.readFloat32(name)));
  return out;
}

/** Reference logits of every row of the padded batch the engine ran (HF semantics on the same padded ids). */
function encoderReference(folder: ClassifierFolder, t: Map<string, Float64Array>, feeds: Record<string, unknown>, batch: number, seq: number): Float64Array[] {
  if (folder.config.kind !== 'encoder') throw new Error('encoder expected');
  const col = (name: string, b: number): number[] => Array.from((feeds[name] as BigInt64Array).subarray(b * seq, (b + 1) * seq), Number);
  return Array.from({ length: batch }, (_, b) =>
    referenceEncoderLogits(folder.config.kind === 'encoder' ? folder.config.encoder : (undefined as never), t, col(CLASSIFIER_INPUTS.inputIds, b), col(CLASSIFIER_INPUTS.attentionMask, b), col(CLASSIFIER_INPUTS.tokenTypeIds, b), folder.config.numLabels),
  );
}

async function engineLogits(folder: ClassifierFolder, inputs: readonly ClassifierInput[], side: PaddingSide, extraPad = 0) {
  const rows = inputs.map((input) => encodeClassifierInput(folder.tokenizer, folder.config, folder.framing, input, folder.maxLength));
  const seq = Math.max(...rows.map((r) => r.ids.length)) + extraPad;
  const batch = classifierBatch(folder.config, rows, seq, side);
  const session = await EngineSession.create(buildClassifierProgram(folder));
  try {
    const out = await session.run(batch.feeds, { dims: batch.dims });
    const data = out[CLASSIFIER_OUTPUTS.logits]!.data as Float32Array;
    const n = folder.config.numLabels;
    return { rows, batch, seq, logits: rows.map((_, b) => Array.from(data.subarray(b * n, (b + 1) * n))) };
  } finally {
    await session.release();
  }
}

function assertClose(actual: readonly number[], expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - (expected[i] as number)) <= tol, `${what}[${i}]: engine ${a} vs reference ${expected[i]} (|Δ| ${Math.abs(a - (expected[i] as number)).toExponential(2)})`));
}

const SINGLES: ClassifierInput[] = [{ text: 'I feel so alone lately.' }, { text: 'Sad!' }, { text: 'My friend moved away, you are not alone.' }];
const PAIRS: ClassifierInput[] = [
  { text: 'I feel so alone lately.', pair: 'That sounds hard.' },
  { text: 'Sad?', pair: 'You are not alone, my friend.' },
];

describe('sequence classifiers on the engine against a float64 reference', () => {
  for (const [name, config] of [
    ['BERT', bertConfig()],
    ['RoBERTa', robertaConfig()],
    ['XLM-RoBERTa', robertaConfig({ architectures: ['XLMRobertaForSequenceClassification'], model_type: 'xlm-roberta', num_labels: undefined, id2label: { 0: 'a', 1: 'b' } })],
  ] as const) {
    test(`${name}: single texts and pairs, mixed lengths, right and left padding, equal HF semantics to 1e-5`, async () => {
      const folder = await openClassifierFolder(await folderFor(config));
      const t = await tensors64(folder);
      for (const inputs of [SINGLES, PAIRS]) {
        for (const side of ['right', 'left'] as const) {
          const run = await engineLogits(folder, inputs, side, 3);
          const reference = encoderReference(folder, t, run.batch.feeds, inputs.length, run.seq);
          run.logits.forEach((row, b) => assertClose(row, reference[b]!, 1e-5, `${name} ${side} row ${b}`));
        }
      }
    });
  }

  test("BERT token types mark the second segment; extra right padding leaves every family's logits unchanged", async () => {
    const bert = await openClassifierFolder(await folderFor(bertConfig()));
    const encoded = encodeClassifierInput(bert.tokenizer, bert.config, bert.framing, PAIRS[0]!, 64);
    const firstSep = encoded.ids.indexOf(3);
    assert.deepEqual(encoded.typeIds, encoded.ids.map((_, i) => (i <= firstSep ? 0 : 1)));
    for (const config of [bertConfig(), robertaConfig(), qwen2ClassifierConfig()]) {
      const folder = await openClassifierFolder(await folderFor(config));
      const tight = await engineLogits(folder, PAIRS, 'right');
      const padded = await engineLogits(folder, PAIRS, 'right', 5);
      tight.logits.forEach((row, b) => assertClose(row, padded.logits[b]!, 1e-5, `${String(config.model_type)} row ${b}`));
    }
    // Left padding puts a pad at position 0, where encoder heads read ([CLS] / <s>), in transformers too: the logits change.
    const roberta = await openClassifierFolder(await folderFor(robertaConfig()));
    const right = await engineLogits(roberta, PAIRS, 'right', 2);
    const left = await engineLogits(roberta, PAIRS, 'left', 2);
    assert.ok(right.logits.some((row, b) => row.some((v, i) => Math.abs(v - left.logits[b]![i]!) > 1e-3)));
  });

  test('Qwen2ForSequenceClassification: the score head on the last non-padding token', async () => {
    const raw = qwen2ClassifierConfig();
    const folder = await openClassifierFolder(await folderFor(raw));
    const t = await tensors64(folder);
    const inputs: ClassifierInput[] = [{ text: 'I feel so alone lately.' }, { text: 'hi' }, { text: 'My friend moved away and I miss her every day.' }];
    const run = await engineLogits(folder, inputs, 'right', 4);
    if (folder.config.kind !== 'decoder') throw new Error('decoder expected');
    // The reference decoder computes logits from an LM head; the classifier has none, so point it at the embedding.
    const refConfig = { ...folder.config.decoder, tieWordEmbeddings: true };
    const score = t.get('score.weight')!;
    run.rows.forEach((row, b) => {
      const { hidden } = referenceForward(refConfig, t, [row.ids], [row.ids.map(() => 1)]);
      const H = refConfig.hiddenSize;
      const last = hidden[0]!.subarray((row.ids.length - 1) * H, row.ids.length * H);
      const expected = [0, 1].map((label) => last.reduce((s, x, k) => s + x * (score[label * H + k] as number), 0));
      assertClose(run.logits[b]!, expected, 1e-5, `row ${b}`);
    });
  });

  test('SequenceClassifier batches by length into buckets and returns logits in input order', async () => {
    const dir = await folderFor(robertaConfig());
    const classifier = await SequenceClassifier.open(dir, { batchSize: 2, bucket: 8 });
    try {
      const inputs = [...PAIRS, ...SINGLES];
      const results = await classifier.classify(inputs);
      assert.equal(classifier.problemType, 'regression');
      assert.deepEqual(classifier.labels, ['LABEL_0']);
      for (const [i, input] of inputs.entries()) {
        const alone = await classifier.classify([input]);
        assertClose(results[i]!.logits, alone[0]!.logits, 1e-5, `input ${i}`);
      }
    } finally {
      await classifier.release();
    }
  });
});

describe('classifier inputs', () => {
  test('framing equals the tokenizer post-processor (BERT and RoBERTa, single and pair)', async () => {
    for (const config of [bertConfig(), robertaConfig()]) {
      const folder = await openClassifierFolder(await folderFor(config));
      for (const input of [...SINGLES, ...PAIRS]) {
        const ours = encodeClassifierInput(folder.tokenizer, folder.config, folder.framing, input, 64);
        const theirs = folder.tokenizer.encodeWithPostProcessor(input.text, input.pair);
        assert.deepEqual(ours.ids, theirs.ids, `${String(config.model_type)} ${JSON.stringify(input)}`);
        if (config.model_type === 'bert') assert.deepEqual(ours.typeIds, theirs.typeIds);
        assert.equal(ours.truncated, 0);
      }
    }
  });

  test('longest-first truncation removes from the longer segment, the second on ties (hand-worked)', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8];
    assert.deepEqual(truncateLongestFirst(a, b, 6), [[1, 2, 3, 4], [7, 8]]);
    assert.deepEqual(truncateLongestFirst(a, b, 3), [[1, 2], [7]]);
    assert.deepEqual(truncateLongestFirst(a, b, 8), [a, b]);
    assert.deepEqual(truncateLongestFirst([1, 2, 3], [4, 5, 6], 5), [[1, 2, 3], [4, 5]]);
    assert.deepEqual(truncateLongestFirst([1, 2, 3], [], 2), [[1, 2], []]);
  });

  test('a truncated pair keeps its framing and reports what it dropped', async () => {
    const folder = await openClassifierFolder(await folderFor(bertConfig()));
    const encoded = encodeClassifierInput(folder.tokenizer, folder.config, folder.framing, { text: 'i feel so alone lately , my friend moved away', pair: 'that sounds hard' }, 10);
    assert.equal(encoded.ids.length, 10);
    assert.equal(encoded.ids[0], 2);
    assert.equal(encoded.ids.at(-1), 3);
    assert.equal(encoded.ids.filter((id) => id === 3).length, 2);
    // 10 + 3 words into 10 − 3 framing tokens: 6 dropped, all from the longer first segment.
    assert.equal(encoded.truncated, 6);
    assert.deepEqual(encoded.typeIds.filter((t) => t === 1).length, 4);
  });
});

describe('chat-format pairs (attune_pair_format "chat")', () => {
  const input = { text: 'i lost my dog today and the house feels empty', pair: 'oh no , i am so sorry . how long did you have him ?' };

  test('a pair is the chat template rendering of a user turn and an assistant reply; truncation cuts only the segments', async () => {
    const { tokenizer } = await openModelFolder('attune-small-qwen2');
    const config = parseClassifierConfig({ ...qwen2ClassifierConfig(), attune_pair_format: 'chat' }, 'chat/config.json');
    assert.equal(config.kind === 'decoder' && config.pairFormat, 'chat');
    const rendered = tokenizer.renderChat(
      [
        { role: 'user', content: input.text },
        { role: 'assistant', content: input.pair },
      ],
      { addGenerationPrompt: false },
    );
    const whole = tokenizer.encode(rendered, { addSpecialTokens: false });
    const ours = encodeClassifierInput(tokenizer, config, null, input, 512);
    assert.deepEqual(ours.ids, whole);
    assert.equal(ours.truncated, 0);

    const [a, b] = [tokenizer.encode(input.text, { addSpecialTokens: false }), tokenizer.encode(input.pair, { addSpecialTokens: false })];
    const frame = whole.length - a.length - b.length;
    const cut = encodeClassifierInput(tokenizer, config, null, input, frame + 6);
    assert.equal(cut.ids.length, frame + 6);
    assert.equal(cut.truncated, a.length + b.length - 6);
    // The frame survives whole: the same opening tokens before the user turn, the same closing ones after the reply.
    const [opening] = rendered.split(input.text);
    const openingIds = tokenizer.encode(opening!, { addSpecialTokens: false });
    assert.deepEqual(cut.ids.slice(0, openingIds.length), openingIds);
    const closing = tokenizer.encode(rendered.split(input.pair)[1]!, { addSpecialTokens: false });
    assert.deepEqual(cut.ids.slice(-closing.length), closing);
    // Longest first: 3 tokens of each segment are left (the reply is the longer one here, so it is cut first).
    assert.deepEqual(cut.ids.slice(openingIds.length, openingIds.length + 3), a.slice(0, 3));

    // Without the key, a decoder pair is transformers' text pair: the segments back to back.
    const text = parseClassifierConfig(qwen2ClassifierConfig(), 'text/config.json');
    assert.deepEqual(encodeClassifierInput(tokenizer, text, null, input, 512).ids, [...tokenizer.encode(input.text), ...b]);
  });

  test('an unknown attune_pair_format is refused, naming the file and the key', () => {
    assert.throws(
      () => parseClassifierConfig({ ...qwen2ClassifierConfig(), attune_pair_format: 'xml' }, 'bad/config.json'),
      (e: Error) => e instanceof ModelFolderError && /bad\/config\.json: attune_pair_format "xml" is not supported; expected "chat" or "text"/.test(e.message),
    );
  });
});

describe('malformed classifier folders get located errors', () => {
  const rejects = async (promise: Promise<unknown>, ...patterns: RegExp[]) => {
    const error = await promise.then(
      () => assert.fail('expected an error'),
      (e: unknown) => e as Error,
    );
    assert.ok(error instanceof ModelFolderError, `not a ModelFolderError: ${String(error)}`);
    for (const p of patterns) assert.match(`${error.message}\n${(error as ModelFolderError).hint ?? ''}`, p);
  };

  test('missing tensor and wrong shape are listed with file and tensor', async () => {
    const dir = await folderFor(bertConfig(), {
      edit: (t) => {
        delete t['bert.pooler.dense.bias'];
        t['classifier.weight'] = { dtype: 'F32', shape: [2, 16], data: new Float32Array(32) };
      },
    });
    await rejects(openClassifierFolder(dir), /model\.safetensors: missing tensor "bert\.pooler\.dense\.bias"/, /"classifier\.weight" has shape \[2, 16\]; .*config\.json implies \[3, 16\]/);
  });

  test('bad configs name the key', async () => {
    const base = await folderFor(bertConfig());
    await writeFile(join(base, 'config.json'), JSON.stringify(bertConfig({ num_labels: 2 })));
    await rejects(openClassifierFolder(base), /config\.json: num_labels is 2 but id2label names 3 labels/);
    await writeFile(join(base, 'config.json'), JSON.stringify(bertConfig({ hidden_act: 'swish' })));
    await rejects(openClassifierFolder(base), /config\.json: hidden_act "swish" is not supported/);
    await writeFile(join(base, 'config.json'), JSON.stringify(bertConfig({ architectures: ['BertModel'] })));
    await rejects(openClassifierFolder(base), /architectures \["BertModel"\] has no BertForSequenceClassification/);
    await writeFile(join(base, 'config.json'), JSON.stringify(bertConfig({ model_type: 'gpt2' })));
    await rejects(openClassifierFolder(base), /model_type "gpt2" is not a supported sequence classifier/, /RobertaForSequenceClassification/);
  });

  test('pickle weights are refused, saying why and how to convert', async () => {
    const dir = await folderFor(bertConfig());
    await unlink(join(dir, 'model.safetensors'));
    await writeFile(join(dir, 'pytorch_model.bin'), 'not really a pickle');
    await rejects(openClassifierFolder(dir), /pytorch_model\.bin \(a Python pickle\).*arbitrary code/, /safe_serialization=True/);
  });
});

describe('attune classify', () => {
  const attune = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) } });
    return { code, stdout, stderr };
  };

  test('prints the logits, label names and the activation for a pair and for a .jsonl file', async () => {
    const dir = await folderFor(bertConfig());
    const one = await attune(['classify', '--model', dir, '--text', 'I feel so alone lately.', '--pair', 'That sounds hard.', '--activation', 'softmax', '--json']);
    assert.equal(one.code, 0, one.stderr);
    const row = JSON.parse(one.stdout) as { logits: number[]; labels: string[]; softmax: number[] };
    assert.deepEqual(row.labels, ['negative', 'neutral', 'positive']);
    const classifier = await SequenceClassifier.open(dir);
    const [expected] = await classifier.classify([PAIRS[0]!]);
    await classifier.release();
    assertClose(row.logits, expected!.logits, 1e-6, 'cli logits');
    assert.ok(Math.abs(row.softmax.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    const file = join(dir, 'inputs.jsonl');
    await writeFile(file, `${JSON.stringify({ text: 'Sad!' })}\n\n${JSON.stringify({ text: 'i feel', pair: 'so sad' })}\n`);
    const many = await attune(['classify', '--model', dir, '--data', file]);
    assert.equal(many.code, 0, many.stderr);
    assert.match(many.stdout, /^1: negative -?\d\.\d{4} {2}neutral -?\d\.\d{4} {2}positive -?\d\.\d{4}\n2: /);
    assert.match(many.stdout, /\(BertForSequenceClassification, single_label_classification\)/);
  });

  test('bad input is a located one-line error', async () => {
    const dir = await folderFor(bertConfig());
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, '{"text": "fine"}\n{"text": 3}\n');
    const bad = await attune(['classify', '--model', dir, '--data', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.jsonl:2: expected a string field "text", got 3/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    const none = await attune(['classify', '--model', dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /give --text <text> \[--pair <text>\] or --data <file\.jsonl>/);
  });
});

describe('PEFT adapters on classifiers', () => {
  /** LoRA r 2 on query/value of both layers + a new classifier head in modules_to_save, as PEFT saves them. */
  async function writeAdapter(): Promise<{ dir: string; tensors: Record<string, Float32Array> }> {
    const dir = await mkdtemp(join(tmpdir(), 'attune-cls-adapter-'));
    dirs.push(dir);
    const rng = Xoshiro128.fromSeed(11);
    const random = (n: number, spread: number) => Float32Array.from({ length: n }, () => (2 * rng.nextFloat() - 1) * spread);
    const tensors: Record<string, Float32Array> = {};
    const stored: Record<string, TensorToWrite> = {};
    for (const layer of [0, 1]) {
      for (const module of ['query', 'value']) {
        const prefix = `base_model.model.bert.encoder.layer.${layer}.attention.self.${module}`;
        tensors[`${prefix}.lora_A.weight`] = random(2 * 16, 0.5);
        tensors[`${prefix}.lora_B.weight`] = random(16 * 2, 0.5);
        stored[`${prefix}.lora_A.weight`] = { dtype: 'F32', shape: [2, 16], data: tensors[`${prefix}.lora_A.weight`]! };
        stored[`${prefix}.lora_B.weight`] = { dtype: 'F32', shape: [16, 2], data: tensors[`${prefix}.lora_B.weight`]! };
      }
    }
    tensors['base_model.model.classifier.modules_to_save.weight'] = random(3 * 16, 0.4);
    tensors['base_model.model.classifier.modules_to_save.bias'] = random(3, 0.4);
    stored['base_model.model.classifier.modules_to_save.weight'] = { dtype: 'F32', shape: [3, 16], data: tensors['base_model.model.classifier.modules_to_save.weight']! };
    stored['base_model.model.classifier.modules_to_save.bias'] = { dtype: 'F32', shape: [3], data: tensors['base_model.model.classifier.modules_to_save.bias']! };
    await writeSafetensors(join(dir, 'adapter_model.safetensors'), stored, { metadata: { format: 'pt' } });
    await writeFile(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 2, lora_alpha: 6, target_modules: ['query', 'value'], modules_to_save: ['classifier'], bias: 'none' }));
    return { dir, tensors };
  }

  test('a LoRA classifier with a saved head equals its merged form (merged here in float64)', async () => {
    const base = await folderFor(bertConfig());
    const { dir: adapter, tensors } = await writeAdapter();
    // The merged folder: W + (alpha/r)·B·A in float64, and the head replaced.
    const mergedDir = await folderFor(bertConfig(), {
      edit: (t) => {
        for (const layer of [0, 1]) {
          for (const module of ['query', 'value']) {
            const name = `bert.encoder.layer.${layer}.attention.self.${module}.weight`;
            const w = t[name]!.data as Float32Array;
            const a = tensors[`base_model.model.${name.replace(/\.weight$/, '')}.lora_A.weight`]!;
            const b = tensors[`base_model.model.${name.replace(/\.weight$/, '')}.lora_B.weight`]!;
            const out = new Float32Array(w.length);
            for (let o = 0; o < 16; o++) for (let i = 0; i < 16; i++) out[o * 16 + i] = w[o * 16 + i]! + 3 * (b[o * 2]! * a[i]! + b[o * 2 + 1]! * a[16 + i]!);
            t[name] = { dtype: 'F32', shape: [16, 16], data: out };
          }
        }
        t['classifier.weight'] = { dtype: 'F32', shape: [3, 16], data: tensors['base_model.model.classifier.modules_to_save.weight']! };
        t['classifier.bias'] = { dtype: 'F32', shape: [3], data: tensors['base_model.model.classifier.modules_to_save.bias']! };
      },
    });
    const withAdapter = await SequenceClassifier.open(base, { adapter });
    const merged = await SequenceClassifier.open(mergedDir);
    const plain = await SequenceClassifier.open(base);
    try {
      assert.deepEqual([...withAdapter.folder.adapter!.merged].sort().length, 4);
      assert.deepEqual([...withAdapter.folder.adapter!.replaced].sort(), ['classifier.bias', 'classifier.weight']);
      const [a, m, p] = await Promise.all([withAdapter.classify(PAIRS), merged.classify(PAIRS), plain.classify(PAIRS)]);
      a.forEach((row, i) => assertClose(row.logits, m[i]!.logits, 1e-5, `row ${i}`));
      assert.ok(a.some((row, i) => row.logits.some((v, k) => Math.abs(v - p[i]!.logits[k]!) > 1e-3)), 'the adapter changes the logits');
    } finally {
      await Promise.all([withAdapter.release(), merged.release(), plain.release()]);
    }
  });

  test('an adapter that does not fit, or uses unsupported PEFT options, is refused with the tensor or key', async () => {
    const base = await folderFor(bertConfig());
    const { dir: adapter } = await writeAdapter();
    const config = JSON.parse(await readFile(join(adapter, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(adapter, 'adapter_config.json'), JSON.stringify({ ...config, use_dora: true }));
    await assert.rejects(openClassifierFolder(base, { adapter }), /adapter_config\.json: key "use_dora" is true/);
    await writeFile(join(adapter, 'adapter_config.json'), JSON.stringify(config));
    const bad: Record<string, TensorToWrite> = {};
    const file = await SafetensorsFile.open(join(adapter, 'adapter_model.safetensors'));
    for (const name of file.names()) {
      const t = await file.read(name);
      bad[name.replace('layer.1.attention.self.value', 'layer.7.attention.self.value')] = { dtype: 'F32', shape: t.shape, data: t.data as Float32Array };
    }
    await writeSafetensors(join(adapter, 'adapter_model.safetensors'), bad, { metadata: { format: 'pt' } });
    await assert.rejects(openClassifierFolder(base, { adapter }), /adapts "bert\.encoder\.layer\.7\.attention\.self\.value\.weight", which the base model does not have/);
  });
});
