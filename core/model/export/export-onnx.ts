/**
 * `attune export onnx`: a model folder — with a LoRA adapter folded in when one is given — as the
 * folder transformers.js loads for text generation: config.json (with `transformers.js_config`
 * when the weights are external), generation_config.json, the tokenizer files and
 * `onnx/model.onnx` (+ `onnx/model.onnx_data` for large models), fp32 as transformers.js expects
 * of `model.onnx`. Train in Node, then run the result in a browser.
 *
 * The adapter is merged by `mergeAdapter` (which refuses an adapter for another base) into a
 * scratch fp32 folder; so is a bf16/fp16 base, so that every weight in the file is fp32.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeDirAtomic } from '../../base/atomic-write.js';
import { AttuneError } from '../../base/errors.js';
import { openModelFolder } from '../folder/open-model-folder.js';
import type { ModelFolder } from '../folder/open-model-folder.js';
import { mergeAdapter } from '../lora/merge-adapter.js';
import { copyModelFiles, writeMergedModel } from '../lora/merge.js';
import { buildTransformersJsGraph, EXPORT_DIM_NAMES } from './transformers-js-graph.js';

export interface OnnxExportRequest {
  /** Base model: folder, hub id in the local cache, or embedded model name. */
  readonly model: string;
  /** A PEFT adapter folder (or a run's final/) to fold in first. */
  readonly adapter?: string;
  readonly out: string;
  /** Fold in an adapter recorded for another base. */
  readonly force?: boolean;
  /** Weights in `onnx/model.onnx_data`: always, never, or only when too large for one protobuf ('auto', the default). */
  readonly externalData?: boolean | 'auto';
}

export interface OnnxExportResult {
  readonly out: string;
  readonly modelFile: string;
  /** The external data file (in onnx/), or null. */
  readonly externalData: string | null;
  readonly weightBytes: number;
  /** Adapted projections folded in (0 without an adapter). */
  readonly mergedModules: number;
}

const allFp32 = (folder: ModelFolder): boolean => folder.weights.names().every((n) => folder.weights.locate(n).dtype === 'F32');

export async function exportOnnx(request: OnnxExportRequest): Promise<OnnxExportResult> {
  const out = resolve(request.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new AttuneError(`export: ${request.out} exists and is not empty.`, 'Choose a new folder: export never overwrites one.');
  const base = await openModelFolder(request.model);
  if (base.config.head !== 'causal-lm') throw new AttuneError(`export: ${base.dir} is a sequence classifier (${base.config.architecture}); the transformers.js export is for causal LMs.`);

  const scratch = await mkdtemp(join(tmpdir(), 'attune-export-'));
  try {
    let folder = base;
    let mergedModules = 0;
    if (request.adapter) {
      const merged = await mergeAdapter({ model: request.model, adapter: request.adapter, out: join(scratch, 'merged'), dtype: 'fp32', ...(request.force ? { force: true } : {}) });
      mergedModules = merged.mergedModules;
      folder = await openModelFolder(merged.out);
    } else if (!allFp32(base)) {
      await writeMergedModel(base, null, join(scratch, 'fp32'), { dtype: 'F32' });
      folder = await openModelFolder(join(scratch, 'fp32'));
    }

    let result: { externalData: string | null; weightBytes: number } = { externalData: null, weightBytes: 0 };
    await writeDirAtomic(out, async (temp) => {
      await mkdir(join(temp, 'onnx'));
      result = await buildTransformersJsGraph(folder).exportStandalone(join(temp, 'onnx', 'model.onnx'), { dimNames: EXPORT_DIM_NAMES, externalData: request.externalData ?? 'auto' });
      const config = JSON.parse(readFileSync(join(base.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      const jsConfig = { ...((config['transformers.js_config'] as Record<string, unknown> | undefined) ?? {}), use_external_data_format: result.externalData !== null };
      await copyModelFiles(base.dir, temp, { 'config.json': `${JSON.stringify({ ...config, torch_dtype: 'float32', 'transformers.js_config': jsConfig }, null, 2)}\n` });
    });
    return { out, modelFile: join(out, 'onnx', 'model.onnx'), externalData: result.externalData && join(out, 'onnx', result.externalData), weightBytes: result.weightBytes, mergedModules };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
