/**
 * A model folder opened for inference: its decoder graphs compiled lazily (once per kind, with or
 * without the adapter) into cached onnxruntime sessions, and the adapter's LoRA factors as feeds.
 */
import type { EngineSession, Feed, SessionOptions } from '../../engine/index.js';
import { EngineSession as Session } from '../../engine/index.js';
import { openModelFolder } from '../folder/open-model-folder.js';
import type { ModelFolder } from '../folder/open-model-folder.js';
import type { DecoderConfig } from '../folder/config.js';
import { buildDecoderGraph, inputNames } from './decoder-graph.js';
import type { DecoderGraphKind, LoraLayout } from './decoder-graph.js';
import { AdapterError, LORA_MODULES, projectionShape, readPeftAdapter } from './peft-adapter.js';
import type { LoraModule, LoraWeights } from './peft-adapter.js';

export interface InferenceModelOptions {
  /** A PEFT adapter folder, or LoRA factors already in memory (a trainer's current policy). */
  readonly adapter?: string | LoraWeights;
  readonly session?: SessionOptions;
}

export class InferenceModel {
  private readonly sessions = new Map<string, Promise<EngineSession>>();
  private adapterWeights: LoraWeights | null;
  private adapterFeedCache: Record<string, Feed> | null = null;
  private released = false;

  private constructor(
    readonly folder: ModelFolder,
    adapter: LoraWeights | null,
    private readonly sessionOptions: SessionOptions,
  ) {
    this.adapterWeights = adapter;
  }

  /** `model`: an embedded model name, a folder path, or a folder already opened. */
  static async open(model: string | ModelFolder, options: InferenceModelOptions = {}): Promise<InferenceModel> {
    const folder = typeof model === 'string' ? await openModelFolder(model) : model;
    let adapter: LoraWeights | null = null;
    if (typeof options.adapter === 'string') adapter = await readPeftAdapter(options.adapter, folder.config);
    else if (options.adapter) {
      checkAdapterShapes(options.adapter, folder.config);
      adapter = options.adapter;
    }
    return new InferenceModel(folder, adapter, options.session ?? {});
  }

  get config(): DecoderConfig {
    return this.folder.config;
  }

  get adapter(): LoraWeights | null {
    return this.adapterWeights;
  }

  /**
   * Replaces the adapter's values (e.g. after a training step). Same rank, scale and projections
   * reuse the compiled sessions; a different layout compiles new ones on next use.
   */
  setAdapter(adapter: LoraWeights | null): void {
    if (adapter) checkAdapterShapes(adapter, this.config);
    this.adapterWeights = adapter;
    this.adapterFeedCache = null;
  }

  /** The session for a graph kind, with the adapter applied or not. */
  session(kind: DecoderGraphKind, useAdapter: boolean): Promise<EngineSession> {
    if (this.released) throw new Error('generation: the model was released');
    const lora = useAdapter && this.adapterWeights ? layoutOf(this.adapterWeights) : undefined;
    const key = `${kind}|${lora ? `${lora.rank}|${lora.scale}|${[...lora.keys].sort().join(',')}` : 'base'}`;
    let s = this.sessions.get(key);
    if (!s) {
      const program = buildDecoderGraph(this.config, this.folder.weights, kind, lora);
      s = Session.create(program, this.sessionOptions);
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  /** LoRA feeds for a session built with the adapter; empty without one. */
  adapterFeeds(useAdapter: boolean): Record<string, Feed> {
    if (!useAdapter || !this.adapterWeights) return {};
    if (!this.adapterFeedCache) {
      const feeds: Record<string, Feed> = {};
      for (const [key, pair] of this.adapterWeights.pairs) {
        feeds[inputNames.loraA(key)] = pair.a;
        feeds[inputNames.loraB(key)] = pair.b;
      }
      this.adapterFeedCache = feeds;
    }
    return this.adapterFeedCache;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => undefined))?.release();
  }
}

function layoutOf(adapter: LoraWeights): LoraLayout {
  return { rank: adapter.rank, scale: adapter.scale, keys: new Set(adapter.pairs.keys()) };
}

function checkAdapterShapes(adapter: LoraWeights, config: DecoderConfig): void {
  for (const [key, pair] of adapter.pairs) {
    const dot = key.indexOf('.');
    const layer = Number(key.slice(0, dot));
    const module = key.slice(dot + 1) as LoraModule;
    if (!LORA_MODULES.includes(module)) throw new AdapterError(`${adapter.source}: LoRA pair '${key}' names no projection; expected <layer>.<${LORA_MODULES.join('|')}>`);
    if (!Number.isInteger(layer) || layer < 0 || layer >= config.numLayers) {
      throw new AdapterError(`${adapter.source}: LoRA pair '${key}' names layer ${key.slice(0, dot)}, but the base model has ${config.numLayers} layers`);
    }
    const [out, inDim] = projectionShape(config, module);
    if (pair.rank !== adapter.rank || pair.a.length !== adapter.rank * inDim || pair.b.length !== out * adapter.rank) {
      throw new AdapterError(
        `${adapter.source}: LoRA pair '${key}' holds A ${pair.a.length} and B ${pair.b.length} values; rank ${adapter.rank} on this base model needs A [${adapter.rank}, ${inDim}] and B [${out}, ${adapter.rank}]`,
        'the adapter was made for a different base model or rank',
      );
    }
  }
}
