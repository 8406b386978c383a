import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SafetensorsError,
  SafetensorsFile,
  SafetensorsWeights,
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  writeSafetensors,
} from '../../core/model/safetensors/index.js';
import { halfBitsToNumber, numberToHalfBits } from '../../core/model/safetensors/half.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'attune-st-'));
}

/** A file assembled by hand, so the reader is tested against bytes it did not write. */
function handMade(header: unknown, data: Uint8Array, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function expectError(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SafetensorsError, `expected SafetensorsError, got ${String(error)}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" should mention "${f}"`);
    return true;
  });
}

describe('safetensors round-trip', () => {
  test('every dtype, shape and the metadata survive write then read', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.safetensors');
    const tensors = {
      'a.f32': { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) },
      'b.f16': { dtype: 'F16' as const, shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
      'c.bf16': { dtype: 'BF16' as const, shape: [1, 2], data: Uint16Array.from([0x3f80, 0x4049]) },
      'd.i64': { dtype: 'I64' as const, shape: [2], data: BigInt64Array.from([-5n, 1n << 40n]) },
      'e.i32': { dtype: 'I32' as const, shape: [3], data: Int32Array.from([7, -8, 9]) },
      'f.bool': { dtype: 'BOOL' as const, shape: [2], data: Uint8Array.from([1, 0]) },
      'g.u8': { dtype: 'U8' as const, shape: [1], data: Uint8Array.from([255]) },
      'h.empty': { dtype: 'F32' as const, shape: [0, 4], data: new Float32Array(0) },
    };
    await writeSafetensors(path, tensors, { metadata: { format: 'pt', note: 'x' } });
    const file = await SafetensorsFile.open(path);
    assert.deepEqual(file.metadata, { format: 'pt', note: 'x' });
    assert.deepEqual(file.names().sort(), Object.keys(tensors).sort());
    for (const [name, expected] of Object.entries(tensors)) {
      const got = await file.read(name);
      assert.equal(got.dtype, expected.dtype, name);
      assert.deepEqual(got.shape, expected.shape, name);
      assert.deepEqual([...got.data], [...expected.data], name);
    }
    assert.equal(file.dataStart % 8, 0, 'header is padded so data starts 8-aligned');
    await rm(dir, { recursive: true });
  });

  test('exposed file offsets point at the tensor bytes', async () => {
    const dir = await tempDir();
    const path = join(dir, 'w.safetensors');
    const values = Float32Array.from([0.25, -4, 9]);
    await writeSafetensors(path, { z: { dtype: 'F32', shape: [3], data: values }, a: { dtype: 'I32', shape: [1], data: Int32Array.from([1]) } });
    const info = (await SafetensorsFile.open(path)).info('z');
    const bytes = await readFile(path);
    const slice = bytes.subarray(info.fileOffset, info.fileOffset + info.byteLength);
    assert.deepEqual([...new Float32Array(Uint8Array.from(slice).buffer)], [...values]);
    await rm(dir, { recursive: true });
  });

  test('writing replaces the file atomically and leaves no temp file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.safetensors');
    await writeSafetensors(path, { x: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } });
    await writeSafetensors(path, { y: { dtype: 'F32', shape: [1], data: Float32Array.from([2]) } });
    assert.deepEqual(await readdir(dir), ['m.safetensors']);
    assert.deepEqual((await SafetensorsFile.open(path)).names(), ['y']);
    await rm(dir, { recursive: true });
  });

  test('the writer refuses data that does not match dtype or shape', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.safetensors');
    await expectError(writeSafetensors(path, { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), 'tensor "w"', '[2, 2]', '3');
    await expectError(writeSafetensors(path, { w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } }), 'Uint16Array');
    assert.deepEqual(await readdir(dir), []);
    await rm(dir, { recursive: true });
  });
});

describe('16-bit floats', () => {
  test('bf16 bit patterns widen to the right float32 values', () => {
    const raw = Uint16Array.from([0x3f80, 0xbf80, 0x4049, 0x7f80, 0xff80, 0x0001, 0x8000, 0x0000]);
    const got = [...bfloat16ToFloat32(raw)];
    assert.deepEqual(got.slice(0, 5), [1, -1, 3.140625, Infinity, -Infinity]);
    assert.equal(got[5], 2 ** -133, 'smallest bf16 subnormal');
    assert.ok(Object.is(got[6], -0));
    assert.ok(Object.is(got[7], 0));
    assert.ok(Number.isNaN(bfloat16ToFloat32(Uint16Array.from([0x7fc0]))[0]));
  });

  test('fp16 bit patterns widen to the right float32 values', () => {
    const raw = Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x3555]);
    assert.deepEqual([...float16ToFloat32(raw)], [1, -2, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, Infinity, -Infinity, Math.fround(0.333251953125)]);
    assert.ok(Object.is(float16ToFloat32(Uint16Array.from([0x8000]))[0], -0));
    assert.ok(Number.isNaN(float16ToFloat32(Uint16Array.from([0x7e00]))[0]));
  });

  test('every non-NaN fp16 pattern survives float32 and back', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue;
      assert.equal(numberToHalfBits(halfBitsToNumber(h)), h, `0x${h.toString(16)}`);
    }
  });

  test('narrowing rounds to nearest even and overflows to infinity', () => {
    const f16 = float32ToFloat16(Float32Array.from([1, 65520, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -0]));
    assert.deepEqual([...f16], [0x3c00, 0x7c00, 0x0000, 0x0002, 0x3c00, 0x3c02, 0x8000]);
    const bf16 = float32ToBfloat16(Float32Array.from([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2, NaN]));
    assert.deepEqual([...bf16.slice(0, 4)], [0x3f80, 0x3f80, 0x3f82, 0xc000]);
    assert.ok(Number.isNaN(bfloat16ToFloat32(bf16.slice(4))[0]));
  });

  test('readFloat32 converts stored halves and refuses integer tensors', async () => {
    const dir = await tempDir();
    const path = join(dir, 'h.safetensors');
    await writeSafetensors(path, {
      h: { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0x0001]) },
      b: { dtype: 'BF16', shape: [1], data: Uint16Array.from([0xc0a0]) },
      i: { dtype: 'I64', shape: [1], data: BigInt64Array.from([3n]) },
    });
    const file = await SafetensorsFile.open(path);
    assert.deepEqual([...(await file.readFloat32('h'))], [1, 2 ** -24]);
    assert.deepEqual([...(await file.readFloat32('b'))], [-5]);
    await expectError(file.readFloat32('i'), path, 'tensor "i"', 'I64');
    await rm(dir, { recursive: true });
  });
});

describe('broken files get located errors', () => {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);

  async function fileWith(bytes: Uint8Array): Promise<{ dir: string; path: string }> {
    const dir = await tempDir();
    const path = join(dir, 'broken.safetensors');
    await writeFile(path, bytes);
    return { dir, path };
  }

  test('too-short file and absurd header length', async () => {
    let f = await fileWith(Uint8Array.from([1, 2, 3]));
    await expectError(SafetensorsFile.open(f.path), f.path, '8');
    f = await fileWith(handMade({}, f32(1), 1e9));
    await expectError(SafetensorsFile.open(f.path), f.path, 'corrupt header length');
  });

  test('header that is not JSON', async () => {
    const bytes = handMade({ a: 1 }, f32(1));
    bytes[8] = 0x7b; // '{'
    bytes[9] = 0x7b;
    const f = await fileWith(bytes);
    await expectError(SafetensorsFile.open(f.path), f.path, 'not valid UTF-8 JSON');
  });

  test('unknown dtype, shape/length mismatch, overlap and bad offsets name the tensor', async () => {
    let f = await fileWith(handMade({ w: { dtype: 'F8_E5M2', shape: [1], data_offsets: [0, 1] } }, f32(1)));
    await expectError(SafetensorsFile.open(f.path), f.path, 'tensor "w"', 'F8_E5M2', 'BF16');
    f = await fileWith(handMade({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32(4)));
    await expectError(SafetensorsFile.open(f.path), 'tensor "w"', 'needs 16 bytes', 'span 12');
    f = await fileWith(
      handMade(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
        f32(3),
      ),
    );
    await expectError(SafetensorsFile.open(f.path), '"a" and "b" overlap');
    f = await fileWith(handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, f32(3)));
    await expectError(SafetensorsFile.open(f.path), 'tensor "w"', 'data_offsets');
    f = await fileWith(handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)));
    await expectError(SafetensorsFile.open(f.path), 'tensor "w"', 'shape');
  });

  test('truncated file names the tensor that runs past the end', async () => {
    const dir = await tempDir();
    const path = join(dir, 't.safetensors');
    await writeSafetensors(path, { first: { dtype: 'F32', shape: [4], data: new Float32Array(4) }, second: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 6));
    await expectError(SafetensorsFile.open(path), path, 'tensor "second"', 'truncated');
    await rm(dir, { recursive: true });
  });

  test('a missing tensor suggests close names', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.safetensors');
    await writeSafetensors(path, { 'model.norm.weight': { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    const file = await SafetensorsFile.open(path);
    await expectError(file.read('model.norm.weights'), path, 'no tensor "model.norm.weights"', "Did you mean 'model.norm.weight'");
    await rm(dir, { recursive: true });
  });
});

describe('sharded weights', () => {
  test('the index maps names to shards and offsets into the right file', async () => {
    const dir = await tempDir();
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), { a: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } });
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), { b: { dtype: 'BF16', shape: [1], data: Uint16Array.from([0x4000]) } });
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 6 }, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
    );
    const weights = await SafetensorsWeights.openFolder(dir);
    assert.deepEqual(weights.names().sort(), ['a', 'b']);
    assert.equal(weights.locate('b').path, join(dir, 'model-00002-of-00002.safetensors'));
    assert.deepEqual([...(await weights.readFloat32('b'))], [2]);
    await expectError(weights.read('c'), 'model.safetensors.index.json', 'no tensor "c"');
    await rm(dir, { recursive: true });
  });

  test('an index that points at the wrong shard or a missing file fails clearly', async () => {
    const dir = await tempDir();
    await writeSafetensors(join(dir, 's1.safetensors'), { a: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } });
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 's1.safetensors', b: 's1.safetensors' } }));
    await expectError(SafetensorsWeights.openFolder(dir), 'tensor "b" is mapped to s1.safetensors');
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 's2.safetensors' } }));
    await expectError(SafetensorsWeights.openFolder(dir), 's2.safetensors', 'cannot open');
    await rm(dir, { recursive: true });
  });

  test('a folder without safetensors says what it found', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'pytorch_model.bin'), 'x');
    await expectError(SafetensorsWeights.openFolder(dir), 'no model.safetensors', 'pytorch_model.bin');
    await rm(dir, { recursive: true });
  });
});
