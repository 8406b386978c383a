import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamW, exportParameters, loadParameters, SGD, StateRestoreError, type Parameter, type StoredTensor } from '../../core/engine/optim/index.js';
import { SafetensorsFile, writeSafetensors } from '../../core/model/safetensors/index.js';

async function readAll(path: string): Promise<Record<string, StoredTensor>> {
  const file = await SafetensorsFile.open(path);
  const map: Record<string, StoredTensor> = {};
  for (const name of file.names()) map[name] = await file.read(name);
  return map;
}

function makeParams(): Parameter[] {
  return [
    { name: 'lora.A', shape: [2, 3], data: Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6) },
    { name: 'norm.weight', shape: [3], data: Float32Array.of(1, 1, 1) },
  ];
}

function gradsAt(step: number): Record<string, Float32Array> {
  const g = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(step * 7 + i * 3 + k));
  return { 'lora.A': g(6, 0), 'norm.weight': g(3, 1) };
}

function snapshot(params: Parameter[]): number[][] {
  return params.map((p) => [...p.data]);
}

describe('optimizer and parameter state', () => {
  for (const make of [(p: Parameter[]) => new AdamW(p, { weightDecay: 0.1 }), (p: Parameter[]) => new SGD(p, { momentum: 0.9, nesterov: true })]) {
    test(`${make(makeParams()).kind}: save at step 3, restore into fresh objects, continue bit-identically`, () => {
      const params = makeParams();
      const opt = make(params);
      for (let s = 0; s < 3; s++) opt.step(gradsAt(s), 0.01);
      const savedParams = exportParameters(params);
      const savedState = opt.exportState();
      for (let s = 3; s < 6; s++) opt.step(gradsAt(s), 0.01);

      const resumedParams = makeParams();
      const resumed = make(resumedParams);
      loadParameters(resumedParams, savedParams);
      resumed.loadState(savedState);
      assert.equal(resumed.stepCount, 3);
      for (let s = 3; s < 6; s++) resumed.step(gradsAt(s), 0.01);
      assert.deepEqual(snapshot(resumedParams), snapshot(params));
      assert.equal(resumed.stepCount, opt.stepCount);
    });
  }

  test('state and parameters round-trip through a real safetensors file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-optim-'));
    const params = makeParams();
    const opt = new AdamW(params, { weightDecay: 0.1 });
    for (let s = 0; s < 4; s++) opt.step(gradsAt(s), 0.01);
    await writeSafetensors(join(dir, 'optimizer.safetensors'), opt.exportState());
    await writeSafetensors(join(dir, 'adapter.safetensors'), exportParameters(params));

    const resumedParams = makeParams();
    const resumed = new AdamW(resumedParams, { weightDecay: 0.1 });
    loadParameters(resumedParams, await readAll(join(dir, 'adapter.safetensors')), 'adapter.safetensors');
    resumed.loadState(await readAll(join(dir, 'optimizer.safetensors')), 'optimizer.safetensors');
    assert.equal(resumed.stepCount, 4);
    opt.step(gradsAt(4), 0.01);
    resumed.step(gradsAt(4), 0.01);
    assert.deepEqual(snapshot(resumedParams), snapshot(params));
  });

  test('exports are safetensors-ready copies: dtype, shape, keys', () => {
    const params = makeParams();
    const opt = new AdamW(params);
    opt.step(gradsAt(0), 0.1);
    const state = opt.exportState();
    assert.deepEqual(Object.keys(state).sort(), ['adamw.exp_avg.lora.A', 'adamw.exp_avg.norm.weight', 'adamw.exp_avg_sq.lora.A', 'adamw.exp_avg_sq.norm.weight', 'adamw.step']);
    assert.deepEqual(state['adamw.step'], { dtype: 'I64', shape: [], data: BigInt64Array.of(1n) });
    assert.deepEqual(state['adamw.exp_avg.lora.A']?.shape, [2, 3]);
    const weights = exportParameters(params);
    assert.equal(weights['lora.A']?.dtype, 'F32');
    const before = weights['lora.A']?.data[0];
    opt.step(gradsAt(1), 0.1);
    assert.equal(weights['lora.A']?.data[0], before, 'export must not alias live parameters');
  });

  test('restore validates names and shapes and changes nothing on failure', () => {
    const params = makeParams();
    const saved = exportParameters(params);
    const other: Parameter[] = [
      { name: 'lora.A', shape: [3, 2], data: new Float32Array(6) },
      { name: 'norm.weight', shape: [3], data: new Float32Array(3) },
    ];
    assert.throws(
      () => loadParameters(other, saved, 'runs/x/ckpt-100/adapter.safetensors'),
      (error: unknown) =>
        error instanceof StateRestoreError && /runs\/x\/ckpt-100\/adapter\.safetensors: tensor 'lora\.A' has shape \[2, 3\], expected \[3, 2\]/.test(error.message),
    );
    assert.deepEqual([...(other[1] as Parameter).data], [0, 0, 0], 'nothing written on failure');
    assert.throws(() => loadParameters(makeParams(), { ...saved, 'lora.B': saved['lora.A'] as never }), /1 unexpected tensor\(s\): 'lora\.B'/);
    const { 'norm.weight': _dropped, ...missing } = saved;
    assert.throws(() => loadParameters(makeParams(), missing), /tensor 'norm\.weight' is missing \(expected F32 \[3\]\)/);
  });

  test('loading one optimizer’s state into another says which tensor is missing', () => {
    const adam = new AdamW(makeParams());
    adam.step(gradsAt(0), 0.1);
    const sgd = new SGD(makeParams(), { momentum: 0.9 });
    assert.throws(() => sgd.loadState(adam.exportState()), /tensor 'sgd\.step' \(the step counter\) is missing/);
    const state = adam.exportState();
    assert.throws(() => new AdamW(makeParams()).loadState({ ...state, 'adamw.step': { dtype: 'F32', shape: [], data: Float32Array.of(1) } }), /must be a scalar I64/);
    const halfPrecision = { ...state, 'adamw.exp_avg.norm.weight': { dtype: 'F16', shape: [3], data: new Uint16Array(3) } };
    assert.throws(() => new AdamW(makeParams()).loadState(halfPrecision), /'adamw\.exp_avg\.norm\.weight' has dtype F16 \(Uint16Array\), expected F32/);
  });
});
