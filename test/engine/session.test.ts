import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { EngineSession, Graph, SessionCache, ops, selectDevice, defaultExecutionProvider } from '../../core/engine/index.js';
import { runCli } from '../../core/cli/main.js';

describe('engine sessions', () => {
  test('symbolic dims: one compiled program serves several batch/seq sizes, with runtime reshape and shifted slices', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 'seq', 2]);
    const flat = ops.reshape(x, [-1, 2]);
    assert.deepEqual(flat.shape, ['batch*seq', 2]);
    const shifted = ops.slice(x, { axis: 1, start: 1 });
    assert.deepEqual(shifted.shape, ['batch', 'seq-1', 2]);
    const back = ops.reshape(ops.sum(flat, -1), ['batch', 'seq']);
    const s = await EngineSession.create(g.compile({ outputs: { back, shifted } }));
    for (const [b, q] of [
      [1, 3],
      [2, 5],
    ] as const) {
      const data = Float32Array.from({ length: b * q * 2 }, (_, i) => i);
      const out = await s.run({ x: data }, { dims: { batch: b } });
      assert.deepEqual(out['back']?.dims, [b, q]);
      assert.equal(out['back']?.data[1], 2 + 3);
      assert.deepEqual(out['shifted']?.dims, [b, q - 1, 2]);
      assert.equal(out['shifted']?.data[0], 2);
    }
    await s.release();
  });

  test('feeds are validated: wrong array type, wrong length, unknown and missing names', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 3]);
    const s = await EngineSession.create(g.compile({ outputs: { y: ops.mul(x, 2) } }));
    await assert.rejects(s.run({ x: new Float64Array(3) }), /'x' is float32; feed a Float32Array, got Float64Array/);
    await assert.rejects(s.run({ x: new Float32Array(4) }), /'x' \[batch, 3\] got 4 values, not a multiple of 3/);
    await assert.rejects(s.run({ x: new Float32Array(3), z: new Float32Array(1) }), /'z' is not an input/);
    await assert.rejects(s.run({}), /missing feeds for x/);
    await s.release();
  });

  test('file-backed initializers load as external data from an offset inside an existing file (hard-linked next to the model)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engine-ext-'));
    try {
      // A fake "safetensors" file: an 8-byte header of junk, then two float32 matrices.
      const w1 = Float32Array.from({ length: 6 }, (_, i) => i + 1);
      const w2 = Float32Array.from({ length: 3 }, (_, i) => 10 * (i + 1));
      const file = join(dir, 'weights.safetensors');
      await writeFile(file, Buffer.concat([Buffer.alloc(8, 7), Buffer.from(w1.buffer), Buffer.from(w2.buffer)]));
      const g = new Graph();
      const x = g.input('x', 'float32', ['batch', 2]);
      const a = g.initializer('a', { file, offset: 8, length: 24, dtype: 'float32', shape: [2, 3] });
      const b = g.initializer('b', { file, offset: 32, length: 12, dtype: 'float32', shape: [3] });
      const y = ops.add(ops.matmul(x, a), b);
      const cacheDir = join(dir, 'cache');
      const program = g.compile({ outputs: { y } });
      assert.equal(program.needsFile, true);
      const s = await EngineSession.create(program, { cacheDir });
      const out = await s.run({ x: new Float32Array([1, 1]) });
      assert.deepEqual([...(out['y']?.data as Float32Array)], [1 + 4 + 10, 2 + 5 + 20, 3 + 6 + 30]);
      await s.release();
      const modelDir = join(cacheDir, program.key);
      const entries = await readdir(modelDir);
      assert.ok(entries.includes('model.onnx'));
      const link = entries.find((e) => e.startsWith('ext0_'));
      assert.ok(link, `expected a linked weights file, got ${entries.join(', ')}`);
      // Same inode as the original: nothing was copied.
      assert.equal((await stat(join(modelDir, link))).ino, (await stat(file)).ino);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unavailable execution provider fails with a message naming it and what to do', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const program = g.compile({ outputs: { y: ops.mul(x, 2) } });
    await assert.rejects(EngineSession.create(program, { executionProvider: 'cuda' }), (e: Error & { hint?: string }) => /execution provider 'cuda' is not available: /.test(e.message) && /CUDA 12 build.*--device cpu/.test(e.hint ?? ''));
  });

  test('--device: selecting an unavailable provider fails at once naming it; the CLI refuses before a run directory exists; cpu stays the default', async () => {
    await assert.rejects(selectDevice('cuda'), /execution provider 'cuda' is not available/);
    assert.equal(defaultExecutionProvider(), 'cpu', 'a failed selection changes nothing');
    await selectDevice('cpu');
    assert.equal(defaultExecutionProvider(), 'cpu');
    const out = join(tmpdir(), `attune-device-${process.pid}`);
    let stderr = '';
    const code = await runCli(['run', 'sft-multiobjective', '--device', 'cuda', '--out', out], { stderr: { write: (t) => (stderr += t) }, stdout: { write: () => true } });
    assert.equal(code, 1);
    assert.match(stderr, /error: engine: execution provider 'cuda' is not available/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(out), false, 'no run directory was made');
    stderr = '';
    assert.equal(await runCli(['generate', '--device', 'webgpu', '--prompt', 'hi'], { stderr: { write: (t) => (stderr += t) }, stdout: { write: () => true } }), 1);
    assert.match(stderr, /execution provider 'webgpu' is not available/);
  });

  test('session cache compiles each signature once; retraced identical graphs share a key', async () => {
    const build = (): ReturnType<Graph['compile']> => {
      const g = new Graph();
      const x = g.input('x', 'float32', ['n']);
      return g.compile({ outputs: { y: ops.exp(ops.mul(x, 3)) } });
    };
    const p1 = build();
    const p2 = build();
    assert.equal(p1.key, p2.key);
    const cache = new SessionCache();
    const s1 = await cache.get(p1, { intraOpThreads: 1 });
    const s2 = await cache.get(p2, { intraOpThreads: 1 });
    assert.equal(s1, s2);
    const s3 = await cache.get(p1, { intraOpThreads: 1, staticDims: { n: 4 } });
    assert.notEqual(s1, s3);
    assert.equal(cache.size, 2);
    const out = await s3.run({ x: new Float32Array([0, 0, 0, 0]) });
    assert.deepEqual([...(out['y']?.data as Float32Array)], [1, 1, 1, 1]);
    await cache.releaseAll();
  });

  test('float16 initializer storage casts to float32 in the graph', async () => {
    const g = new Graph();
    // 1.0, 2.0, -0.5 in IEEE half precision
    const w = g.initializer('w16', { data: Uint16Array.from([0x3c00, 0x4000, 0xb800]), shape: [3], dtype: 'float16' });
    const s = await EngineSession.create(g.compile({ outputs: { y: ops.cast(w, 'float32') } }));
    assert.deepEqual([...((await s.run({}))['y']?.data as Float32Array)], [1, 2, -0.5]);
    await s.release();
  });
});
