/**
 * Finds what a training run saved for chatting: the final LoRA adapter (PEFT layout) under the run
 * directory and the base model it was trained on (PEFT's base_model_name_or_path, else the run
 * config's `model`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AttuneError } from '../../base/errors.js';
import { ADAPTER_CONFIG_FILE as ADAPTER_CONFIG, ADAPTER_WEIGHTS_FILE as ADAPTER_WEIGHTS } from '../lora/peft-save.js';

const MANIFEST = 'run_manifest.json';
const MAX_DEPTH = 4;

export interface RunAdapter {
  readonly runDir: string;
  /** Folder holding adapter_config.json + adapter_model.safetensors. */
  readonly adapterDir: string;
  /** The base model as recorded (folder path or embedded name); undefined when the run did not say. */
  readonly baseModel: string | undefined;
}

function adapterDirs(dir: string, depth: number, found: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  if (entries.includes(ADAPTER_CONFIG) && entries.includes(ADAPTER_WEIGHTS)) found.push(dir);
  if (depth === MAX_DEPTH) return;
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (!e.startsWith('.') && statSync(p, { throwIfNoEntry: false })?.isDirectory()) adapterDirs(p, depth + 1, found);
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A `model` entry of the run config: a string, or an object with name/path. */
function modelFromConfig(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const model = (config as Record<string, unknown>).model;
  if (typeof model === 'string') return model;
  if (typeof model === 'object' && model !== null) {
    const m = model as Record<string, unknown>;
    for (const key of ['path', 'name', 'use']) if (typeof m[key] === 'string') return m[key];
  }
  return undefined;
}

export function findRunAdapter(runDirArg: string): RunAdapter {
  const runDir = resolve(runDirArg);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    throw new AttuneError(`run directory ${runDir} does not exist`, 'pass the folder of a finished training run (it holds run_manifest.json)');
  }
  const manifestFile = join(runDir, MANIFEST);
  const manifest = readJson(manifestFile);
  if (!manifest) throw new AttuneError(`${runDir} is not a run directory: no readable ${MANIFEST}`, 'pass the folder `attune run` created (printed at the start of the run)');
  const found: string[] = [];
  adapterDirs(runDir, 0, found);
  if (found.length === 0) {
    const status = typeof manifest.status === 'string' ? manifest.status : 'unknown';
    throw new AttuneError(
      `run ${runDir} (recipe ${String(manifest.recipe)}, status ${status}) has no adapter: expected a folder with ${ADAPTER_CONFIG} and ${ADAPTER_WEIGHTS} (PEFT layout) under it`,
      status === 'completed' ? 'this recipe does not train an adapter; chat with a run of a training recipe' : `the run saves its adapter when training ends: finish it with \`attune run ${String(manifest.recipe)} --resume ${runDir}\`, or pick a finished run`,
    );
  }
  // The final adapter wins over intermediate ones; then the newest.
  const ranked = found
    .map((dir) => ({ dir, final: /(^|[/\\])(final|adapter)([/\\]|$)/.test(relative(runDir, dir)) || dir === runDir, mtime: statSync(join(dir, ADAPTER_WEIGHTS)).mtimeMs }))
    .sort((a, b) => Number(b.final) - Number(a.final) || b.mtime - a.mtime);
  const adapterDir = (ranked[0] as { dir: string }).dir;
  const adapterConfig = readJson(join(adapterDir, ADAPTER_CONFIG));
  const fromAdapter = adapterConfig?.base_model_name_or_path;
  let baseModel = typeof fromAdapter === 'string' && fromAdapter.length > 0 ? fromAdapter : modelFromConfig(manifest.config);
  // A relative folder recorded by the run is relative to where it ran; fall back to the run's parent.
  if (baseModel !== undefined && baseModel.startsWith('.') && !existsSync(resolve(baseModel))) {
    const besideRun = resolve(dirname(runDir), baseModel);
    if (existsSync(besideRun)) baseModel = besideRun;
  }
  return { runDir, adapterDir, baseModel };
}
