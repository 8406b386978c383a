/**
 * The models a server answers as: one base model and any number of LoRA adapters on it, each an
 * id of /v1/models. One InferenceModel holds the base; an adapter's factors are swapped in before
 * its batch runs (the batcher runs one batch at a time), so adapters with the same rank and
 * targets share compiled sessions. Adapters load and unload at run time (vLLM's API).
 */
import { basename, resolve } from 'node:path';
import { AttuneError } from '../base/errors.js';
import { loadLoraAdapter } from '../model/lora/index.js';
import type { LoraState } from '../model/lora/index.js';
import { headsOfAdapter, InferenceModel, ModelTextGenerator } from '../model/generation/index.js';
import type { ClassificationHead } from '../model/generation/index.js';
import type { WeightQuantization } from '../model/quantize/weight-quantization.js';

export interface ServedAdapter {
  readonly name: string;
  readonly path: string;
  readonly state: LoraState;
  readonly heads: readonly ClassificationHead[];
  readonly loadedAt: number;
}

export class ServedModels {
  private readonly adapters = new Map<string, ServedAdapter>();
  readonly createdAt = Math.floor(Date.now() / 1000);

  private constructor(
    readonly model: InferenceModel,
    /** The base model's id. */
    readonly baseId: string,
  ) {}

  static async open(base: string, options: { name?: string; adapters?: readonly { name: string; path: string }[]; quantization?: WeightQuantization | undefined } = {}): Promise<ServedModels> {
    const model = await InferenceModel.open(base, { quantization: options.quantization });
    const served = new ServedModels(model, options.name ?? basename(model.folder.dir));
    try {
      for (const a of options.adapters ?? []) await served.load(a.name, a.path);
    } catch (error) {
      await model.release();
      throw error;
    }
    return served;
  }

  ids(): string[] {
    return [this.baseId, ...this.adapters.keys()];
  }

  has(id: string): boolean {
    return id === this.baseId || this.adapters.has(id);
  }

  adapter(name: string): ServedAdapter | undefined {
    return this.adapters.get(name);
  }

  /** Reads and checks the adapter before anything changes; a taken name or a bad folder is an AttuneError. */
  async load(name: string, path: string): Promise<ServedAdapter> {
    if (name === this.baseId || this.adapters.has(name)) throw new AttuneError(`The model '${name}' is already loaded`, 'unload it first, or give the adapter another name');
    const dir = resolve(path);
    const loaded = await loadLoraAdapter(dir, this.model.config);
    const adapter: ServedAdapter = { name, path: dir, state: loaded.state, heads: headsOfAdapter(dir, loaded.extraTensors, this.model.config.hiddenSize), loadedAt: Math.floor(Date.now() / 1000) };
    this.adapters.set(name, adapter);
    return adapter;
  }

  unload(name: string): boolean {
    return this.adapters.delete(name);
  }

  /** A generator answering as `id`; the caller runs one batch at a time (the adapter is swapped in). */
  generatorFor(id: string, batchSize: number): ModelTextGenerator {
    const adapter = this.adapters.get(id);
    if (!adapter && id !== this.baseId) throw new AttuneError(`The model '${id}' does not exist`);
    this.model.setAdapter(adapter?.state ?? null, adapter?.heads ?? []);
    return new ModelTextGenerator(this.model, { useAdapter: adapter !== undefined, batchSize });
  }

  release(): Promise<void> {
    return this.model.release();
  }
}
