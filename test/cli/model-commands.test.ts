/**
 * `attune generate`, `perplexity` and `chat` end to end on the embedded model: in this process
 * through runCli, and interactive chat (piped stdin) as a spawned bin/attune.js; `merge` folds the
 * adapter in (the merged folder scores tokens like base + adapter, in the dtype asked for).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPackageRoot } from '../../core/base/paths.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';
import { InferenceModel, ModelTextGenerator, perplexity, tokenLogProbs } from '../../core/model/generation/index.js';
import { SafetensorsFile } from '../../core/model/safetensors/reader.js';
import { runCli } from '../../core/cli/main.js';

const bin = fromPackageRoot('bin', 'attune.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A row of `attune respond`. */
interface ResponseRow {
  prompt_id: string;
  prompt: string;
  model: string;
  response: string;
  decoding: { policy: string; options: Record<string, unknown> };
  intervention: { kind: string; reason: string } | null;
  trace: { purpose: string; prompt: { role: string; content: string }[]; output: string }[];
  meta: { theme?: string; conversation?: unknown[] };
}

/** The real process, with `input` piped to its stdin. */
function spawned(args: string[], input: string): Result {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function attune(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) } });
  return { code, stdout, stderr };
}

/** A PEFT adapter for the embedded model (hidden 64, q 64, kv 32) with non-zero factors on q and v. */
async function writeAdapter(dir: string, inDim = 64): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['q_proj', 'v_proj'], base_model_name_or_path: 'attune-tiny-qwen2' }));
  const tensors: Record<string, TensorToWrite> = {};
  let s = 1;
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((s = (s * 48271) % 2147483647) / 2147483647 - 0.5) * 2);
  for (let l = 0; l < 2; l++) {
    for (const [m, out] of [['q_proj', 64], ['v_proj', 32]] as const) {
      const key = `base_model.model.model.layers.${l}.self_attn.${m}`;
      tensors[`${key}.lora_A.weight`] = { dtype: 'F32', shape: [2, inDim], data: fill(2 * inDim) };
      tensors[`${key}.lora_B.weight`] = { dtype: 'F32', shape: [out, 2], data: fill(out * 2) };
    }
  }
  await writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors);
}

describe('model commands', () => {
  let dir: string;
  let runDir: string;
  let model: InferenceModel;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-model-cli-'));
    runDir = join(dir, 'run');
    await writeAdapter(join(runDir, 'final', 'adapter'));
    writeFileSync(join(runDir, 'run_manifest.json'), JSON.stringify({ recipe: 'sft', status: 'completed', config: { model: 'attune-tiny-qwen2' } }));
    model = await InferenceModel.open('attune-tiny-qwen2', { adapter: join(runDir, 'final', 'adapter') });
  });
  after(async () => {
    await model.release();
    rmSync(dir, { recursive: true, force: true });
  });

  const reply = async (prompt: string, useAdapter: boolean, maxNewTokens = 6): Promise<string> => {
    const [result] = await new ModelTextGenerator(model, { useAdapter }).generate([[{ role: 'user', content: prompt }]], { params: { maxNewTokens, temperature: 0 } });
    return result!.text;
  };

  test('generate streams the greedy chat reply to stdout; --raw with a seed is reproducible', async () => {
    const r = await attune(['generate', '--prompt', 'I feel lonely.', '--greedy', '--max-new-tokens', '6']);
    assert.equal(r.code, 0, r.stderr);
    const base = await InferenceModel.open('attune-tiny-qwen2');
    try {
      const [expected] = (await new ModelTextGenerator(base).generate([[{ role: 'user', content: 'I feel lonely.' }]], { params: { maxNewTokens: 6, temperature: 0 } })).map((r) => r.text);
      assert.equal(r.stdout, `${expected}\n`);
    } finally {
      await base.release();
    }
    assert.match(r.stderr, /\[\d+ tokens, (max new tokens|end of sequence)\]/);
    const raw = ['generate', '--prompt', 'Once upon a time', '--raw', '--temperature', '1.3', '--top-p', '0.9', '--seed', '5', '--max-new-tokens', '8'];
    const a = await attune(raw);
    const b = await attune(raw);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
  });

  test('generate with an adapter answers like the in-process adapter model', async () => {
    const r = await attune(['generate', '--adapter', join(runDir, 'final', 'adapter'), '--prompt', 'Hello there', '--greedy', '--max-new-tokens', '6']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${await reply('Hello there', true)}\n`);
  });

  test('generate rejects an empty prompt, a missing model folder and an adapter for another base', async () => {
    const empty = await attune(['generate', '--prompt', '   ']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /error: --prompt is empty/);
    const missing = await attune(['generate', '--model', join(dir, 'nope'), '--prompt', 'hi']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /model ".*nope" is not an embedded model, not a folder/);
    await writeAdapter(join(dir, 'other-adapter'), 128);
    const other = await attune(['generate', '--adapter', join(dir, 'other-adapter'), '--prompt', 'hi']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /other-adapter\/adapter_model\.safetensors does not fit .*other-adapter\/adapter_config\.json on the base model \(qwen2, hidden 64, 2 layers\)[\s\S]*lora_A\.weight" has shape \[2, 128\]; r=2 on this base model implies \[2, 64\]/);
    assert.doesNotMatch(other.stderr, /^\s+at /m, 'no stack trace for a user error');
  });

  test('perplexity prints the mean NLL and perplexity of --text and of --data files (.txt, .jsonl)', async () => {
    const text = 'I am here for you, whenever you need to talk.';
    const r = await attune(['perplexity', '--text', text]);
    assert.equal(r.code, 0, r.stderr);
    const base = await InferenceModel.open('attune-tiny-qwen2');
    let expected;
    try {
      expected = await perplexity(base, [base.folder.tokenizer.encode(text)]);
    } finally {
      await base.release();
    }
    assert.match(r.stdout, new RegExp(`mean NLL: +${expected.meanNll.toFixed(4)} nats/token over ${expected.tokens} predicted tokens \\(1 text\\)`));
    assert.match(r.stdout, new RegExp(`perplexity: ${expected.perplexity.toFixed(3)}`));
    writeFileSync(join(dir, 'texts.jsonl'), `${JSON.stringify({ text })}\n${JSON.stringify({ text: 'Thank you.' })}\n`);
    writeFileSync(join(dir, 'texts.txt'), `${text}\n\nThank you.\n`);
    const fromJsonl = await attune(['perplexity', '--data', join(dir, 'texts.jsonl'), '--json']);
    const fromTxt = await attune(['perplexity', '--data', join(dir, 'texts.txt'), '--json']);
    assert.equal(fromJsonl.code, 0, fromJsonl.stderr);
    const j = JSON.parse(fromJsonl.stdout) as { meanNll: number; sequences: number };
    assert.equal(j.sequences, 2);
    assert.deepEqual(JSON.parse(fromTxt.stdout).meanNll, j.meanNll);
    writeFileSync(join(dir, 'bad.jsonl'), `${JSON.stringify({ text })}\n{"body": "x"}\n`);
    const bad = await attune(['perplexity', '--data', join(dir, 'bad.jsonl')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.jsonl:2: expected a string field "text", got none/);
  });

  test('chat --run answers one --prompt with the run adapter, --base with the base model; piped lines chat interactively', async () => {
    const tuned = await attune(['chat', '--run', runDir, '--prompt', 'I feel lost.', '--greedy', '--max-new-tokens', '6']);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.equal(tuned.stdout, `${await reply('I feel lost.', true)}\n`);
    const base = await attune(['chat', '--run', runDir, '--base', '--prompt', 'I feel lost.', '--greedy', '--max-new-tokens', '6']);
    assert.equal(base.stdout, `${await reply('I feel lost.', false)}\n`);
    assert.notEqual(base.stdout, tuned.stdout);
    const live = spawned(['chat', '--run', runDir, '--greedy', '--max-new-tokens', '4'], 'I feel lost.\n/reset\n\nhello\n/exit\n');
    assert.equal(live.code, 0, live.stderr);
    assert.equal((live.stdout.match(/assistant> /g) ?? []).length, 2, live.stdout);
    // /reset dropped the first exchange, so both answers are first turns.
    assert.ok(live.stdout.startsWith(`you> assistant> ${await reply('I feel lost.', true, 4)}\nyou> `), live.stdout);
    assert.ok(live.stdout.includes(`assistant> ${await reply('hello', true, 4)}\n`), live.stdout);
    assert.match(live.stderr, /Chatting with adapter .*final\/adapter/);
  });

  test('respond writes one row per prompt (policy, model, response, intervention, trace, meta); --prompt prints to stdout; chat --policy shows only the final reply', async () => {
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, 'policy:\n  use: decoding/safety-controller\n  options:\n    generate: false\n    policy: { use: decoding/sampling, options: { temperature: 0, maxNewTokens: 6 } }\n');
    const data = join(dir, 'prompts.jsonl');
    writeFileSync(
      data,
      [
        { prompt_id: 'a', prompt: 'I feel lost.', meta: { theme: 'lost' } },
        { prompt_id: 'b', prompt: 'Everyone would be better off without me.' },
        { messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }, { role: 'user', content: 'I feel lost.' }] },
      ].map((r) => JSON.stringify(r)).join('\n'),
    );
    const out = join(dir, 'responses.jsonl');
    const r = await attune(['respond', '--run', runDir, '--policy', policyFile, '--data', data, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote 3 rows to .*responses\.jsonl/);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResponseRow);
    assert.deepEqual(rows.map((x) => x.prompt_id), ['a', 'b', '2']);
    assert.deepEqual(Object.keys(rows[0]!), ['prompt_id', 'prompt', 'model', 'response', 'decoding', 'intervention', 'trace', 'meta']);
    assert.equal(rows[0]!.response, (await reply('I feel lost.', true)).trim());
    assert.equal(rows[0]!.intervention, null);
    assert.equal(rows[0]!.model, `attune-tiny-qwen2+${join(runDir, 'final', 'adapter')}`);
    assert.equal(rows[0]!.decoding.policy, 'decoding/safety-controller');
    assert.equal(rows[0]!.decoding.options.locale, 'default', 'the options as validated, defaults filled in');
    assert.equal(rows[0]!.meta.theme, 'lost');
    assert.match(rows[0]!.trace[0]!.purpose, /^sampling \((eos|length)\)$/);
    assert.equal(rows[1]!.intervention?.kind, 'crisis-template');
    assert.match(rows[1]!.response, /findahelpline\.com/);
    assert.equal(rows[2]!.meta.conversation?.length, 3);

    const one = await attune(['respond', '--model', 'attune-tiny-qwen2', '--prompt', 'hello', '--policy', 'decoding/reflection']);
    assert.equal(one.code, 0, one.stderr);
    const row = JSON.parse(one.stdout) as ResponseRow;
    assert.equal(row.model, 'attune-tiny-qwen2');
    assert.match(row.trace[0]!.purpose, /^plan \(generated, (ok|partial|unparsed)\)$/);
    assert.match(row.trace[1]!.prompt[0]!.content, /The person seems to feel \S+ \((low|medium|high) intensity\)/);

    const chat = await attune(['chat', '--run', runDir, '--policy', policyFile, '--prompt', 'Everyone would be better off without me.']);
    assert.equal(chat.code, 0, chat.stderr);
    assert.equal(chat.stdout, `${rows[1]!.response}\n`);
    assert.match(chat.stderr, /decoding\/safety-controller intervened: crisis-template — suicide: 'better off without me'/);
  });

  test('respond locates bad prompt rows and a bad policy', async () => {
    const bad = join(dir, 'bad.jsonl');
    const cases: [string, RegExp][] = [
      ['{"prompt_id": "x"}', /bad\.jsonl:1: give exactly one of "prompt" \(a user message\) and "messages"/],
      ['{"prompt": "hi"}\n{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}', /bad\.jsonl:2: the last message is from assistant/],
      ['{"prompt_id": 1, "prompt": "a"}\n{"prompt_id": "1", "prompt": "b"}', /bad\.jsonl:2: prompt_id "1" repeats line 1/],
      ['{"prompt": 5}', /bad\.jsonl:1, key prompt: /],
    ];
    for (const [text, message] of cases) {
      writeFileSync(bad, text);
      const r = await attune(['respond', '--data', bad]);
      assert.equal(r.code, 1, text);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const unknown = await attune(['respond', '--prompt', 'hi', '--policy', 'decoding/nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /decoding\/nope/);
  });

  test('chat on a run without an adapter names what was expected', async () => {
    const bare = join(dir, 'bare-run');
    mkdirSync(bare);
    writeFileSync(join(bare, 'run_manifest.json'), JSON.stringify({ recipe: 'sft', status: 'interrupted', config: {} }));
    const r = await attune(['chat', '--run', bare, '--prompt', 'hi']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /status interrupted\) has no adapter: expected a folder with adapter_config\.json and adapter_model\.safetensors \(PEFT layout\)/);
    // The hint is a command that works as written.
    assert.ok(r.stderr.includes(`finish it with \`attune run sft --resume ${bare}\``), r.stderr);
    const notRun = await attune(['chat', '--run', join(dir, 'nowhere'), '--prompt', 'hi']);
    assert.match(notRun.stderr, /run directory .*nowhere does not exist/);
  });

  /** Per-token log-probs of a fixed text under a model folder, without any adapter. */
  async function folderLogProbs(folder: string, useAdapterOf?: InferenceModel): Promise<Float64Array> {
    const text = 'I hear how hard this week has been for you.';
    if (useAdapterOf) return (await tokenLogProbs(useAdapterOf, [useAdapterOf.folder.tokenizer.encode(text)]))[0]!;
    const m = await InferenceModel.open(folder);
    try {
      return (await tokenLogProbs(m, [m.folder.tokenizer.encode(text)]))[0]!;
    } finally {
      await m.release();
    }
  }
  const maxDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

  test("merge folds a run's adapter into the base: the merged folder scores like base + adapter; --dtype rewrites weights and torch_dtype", async () => {
    const out = join(dir, 'merged');
    const r = await attune(['merge', '--model', 'attune-tiny-qwen2', '--adapter', join(runDir, 'final'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /merged 4 adapted projections of .* into .*merged/);
    const withAdapter = await folderLogProbs('', model);
    const base = await folderLogProbs('attune-tiny-qwen2');
    assert.ok(maxDiff(base, withAdapter) > 1e-2, 'the adapter changes the scores');
    assert.ok(maxDiff(await folderLogProbs(out), withAdapter) < 1e-4, 'merged equals base + adapter');
    const half = join(dir, 'merged-fp16');
    const h = await attune(['merge', '--model', 'attune-tiny-qwen2', '--adapter', join(runDir, 'final', 'adapter'), '--out', half, '--dtype', 'fp16']);
    assert.equal(h.code, 0, h.stderr);
    const weights = await SafetensorsFile.open(join(half, 'model.safetensors'));
    assert.deepEqual(new Set(weights.names().map((n) => weights.info(n).dtype)), new Set(['F16']));
    assert.equal(JSON.parse(readFileSync(join(half, 'config.json'), 'utf8')).torch_dtype, 'float16');
    assert.ok(maxDiff(await folderLogProbs(half), withAdapter) < 2e-2, 'fp16 rounding only');
  });

  test('merge refuses an adapter trained on another base (naming both) and a non-empty --out', async () => {
    const foreign = join(dir, 'foreign-adapter');
    await writeAdapter(foreign);
    const config = JSON.parse(readFileSync(join(foreign, 'adapter_config.json'), 'utf8'));
    writeFileSync(join(foreign, 'adapter_config.json'), JSON.stringify({ ...config, base_model_name_or_path: 'Qwen/Qwen2.5-0.5B-Instruct' }));
    const r = await attune(['merge', '--model', 'attune-tiny-qwen2', '--adapter', foreign, '--out', join(dir, 'never')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /was trained on 'Qwen\/Qwen2\.5-0\.5B-Instruct', not on 'attune-tiny-qwen2'/);
    assert.match(r.stderr, /--force/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const f = await attune(['merge', '--model', 'attune-tiny-qwen2', '--adapter', join(runDir, 'final'), '--out', full]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /--out .*full exists and is not empty/);
    assert.equal(readFileSync(join(full, 'keep.txt'), 'utf8'), 'mine');
  });

  test("export onnx writes the transformers.js folder of a run's adapter folded into its base; a bad --external-data is refused", async () => {
    const out = join(dir, 'onnx-export');
    const r = await attune(['export', 'onnx', '--model', 'attune-tiny-qwen2', '--adapter', join(runDir, 'final'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported .*onnx-export\/onnx\/model\.onnx \(\d+\.\d MB of fp32 weights, 4 adapted projections folded in\)/);
    assert.match(r.stdout, /AutoModelForCausalLM\.from_pretrained/);
    for (const file of ['config.json', 'tokenizer.json', 'generation_config.json']) assert.ok(readFileSync(join(out, file)).byteLength > 0, file);
    const bad = await attune(['export', 'onnx', '--model', 'attune-tiny-qwen2', '--out', join(dir, 'never'), '--external-data', 'sometimes']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Invalid values[\s\S]*external-data/);
  });
});
