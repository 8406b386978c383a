/**
 * A model folder opened for inference: its graphs compiled lazily (once per kind, with or without
 * the adapter) into cached onnxruntime sessions, and the adapter's LoRA factors as feeds. The
 * whole-sequence graphs are the training decoder's own programs (core/model/decoder); the cached
 * graph shares its layer stack. Adapters are read and checked by core/model/lora.
 */
import type { EngineSession, Feed, Program, SessionOptions } from '../../engine/index.js';
import { EngineSession as Session } from '../../engine/index.js';
import { openModelFolder } from '../folder/open-model-folder.js';
import type { ModelFolder } from '../folder/open-model-folder.js';
import type { DecoderConfig } from '../folder/config.js';
import { buildDecoderProgram } from '../decoder/index.js';
import { checkLoraStateFits, loadLoraAdapter } from '../lora/index.js';
import type { LoraConfig, LoraState } from '../lora/index.js';
import { buildCachedDecoderGraph } from './cached-graph.js';
import { headsOfAdapter } from './adapter-heads.js';
import type { ClassificationHead } from './adapter-heads.js';
import { openQuantizedStore } from '../quantize/quantized-store.js';
import type { QuantizedStore } from '../quantize/quantized-store.js';
import type { WeightQuantization } from '../quantize/weight-quantization.js';

export type InferenceGraphKind =
  /** KV-cached chunk → last logits + chunk K/V (cached-graph.ts). */
  | 'cached'
  /** Whole sequence → logits [B, S, V] (DECODER_OUTPUTS.logits). */
  | 'full-logits'
  /** Whole sequence → log p(labels[t] | tokens < t) [B, S] (DECODER_OUTPUTS.tokenLogProbs). */
  | 'full-token-logprobs'
  /** Whole sequence → final hidden states [B, S, H] (DECODER_OUTPUTS.hidden), what classification heads read. */
  | 'full-hidden';

export interface InferenceModelOptions {
  /** A PEFT adapter folder, or LoRA factors already in memory (a trainer's current policy). */
  readonly adapter?: string | LoraState;
  readonly session?: SessionOptions;
  /**
   * Generate through block-quantized projection and LM-head weights (int4 or int8, built once
   * and cached on disk); scoring and the full-sequence graphs stay fp32.
   */
  readonly quantization?: WeightQuantization | undefined;
  /** Where quantized weights are kept (default `<tmp>/attune-engine/quantized`). */
  readonly quantizedCacheDir?: string;
}

/** What a compiled graph depends on: rank, scale and targets, never the factor values. */
function layoutKey(c: LoraConfig): string {
  return `r${c.r}|alpha${c.alpha}|rs${c.useRslora}|${c.targetModules.join(',')}`;
}

export class InferenceModel {
  private readonly sessions = new Map<string, Promise<EngineSession>>();
  private adapterState: LoraState | null;
  private adapterFeedCache: Record<string, Feed> | null = null;
  private released = false;

  private constructor(
    readonly folder: ModelFolder,
    adapter: LoraState | null,
    private readonly sessionOptions: SessionOptions,
    heads: readonly ClassificationHead[] = [],
    readonly quantization?: WeightQuantization,
    private readonly quantizedCacheDir?: string,
  ) {
    this.adapterState = adapter;
    this.adapterHeads = heads;
  }

  private adapterHeads: readonly ClassificationHead[];

  /** Classification heads saved with the adapter folder (an SFT run's emotion and strategy heads). */
  get heads(): readonly ClassificationHead[] {
    return this.adapterHeads;
  }

  /** `model`: an embedded model name, a folder path, or a folder already opened. */
  static async open(model: string | ModelFolder, options: InferenceModelOptions = {}): Promise<InferenceModel> {
    const folder = typeof model === 'string' ? await openModelFolder(model) : model;
    let adapter: LoraState | null = null;
    let heads: ClassificationHead[] = [];
    if (typeof options.adapter === 'string') {
      const loaded = await loadLoraAdapter(options.adapter, folder.config);
      adapter = loaded.state;
      heads = headsOfAdapter(options.adapter, loaded.extraTensors, folder.config.hiddenSize);
    } else if (options.adapter) {
      checkLoraStateFits(options.adapter, folder.config, 'generation: the in-memory adapter');
      adapter = options.adapter;
    }
    return new InferenceModel(folder, adapter, options.session ?? {}, heads, options.quantization, options.quantizedCacheDir);
  }

  get config(): DecoderConfig {
    return this.folder.config;
  }

  get adapter(): LoraState | null {
    return this.adapterState;
  }

  /**
   * Replaces the adapter's values (e.g. after a training step). Same rank, alpha and projections
   * reuse the compiled sessions; a different layout compiles new ones on next use.
   */
  setAdapter(adapter: LoraState | null, heads: readonly ClassificationHead[] = []): void {
    if (adapter) checkLoraStateFits(adapter, this.config, 'generation: the in-memory adapter');
    this.adapterState = adapter;
    this.adapterHeads = adapter ? heads : [];
    this.adapterFeedCache = null;
  }

  /** The session for a graph kind, with the adapter applied or not. */
  session(kind: InferenceGraphKind, useAdapter: boolean): Promise<EngineSession> {
    if (this.released) throw new Error('generation: the model was released');
    const lora = useAdapter && this.adapterState ? this.adapterState.config : null;
    const key = `${kind}|${lora ? layoutKey(lora) : 'base'}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = this.program(kind, lora).then((program) => Session.create(program, this.sessionOptions));
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  private quantizedStore: Promise<QuantizedStore> | undefined;

  private async program(kind: InferenceGraphKind, lora: LoraConfig | null): Promise<Program> {
    const { folder, quantization } = this;
    if (kind === 'cached') {
      if (!quantization) return buildCachedDecoderGraph(folder, lora);
      this.quantizedStore ??= openQuantizedStore(folder.config, folder.weights, quantization, ...(this.quantizedCacheDir ? [this.quantizedCacheDir] : []));
      return buildCachedDecoderGraph(folder, lora, await this.quantizedStore);
    }
    return buildDecoderProgram(folder, {
      outputs: [kind === 'full-logits' ? 'logits' : kind === 'full-hidden' ? 'hidden' : 'tokenLogProbs'],
      trainable: lora ? { kind: 'lora', lora } : { kind: 'none' },
      dropout: false,
    }).program;
  }

  /** LoRA feeds (PEFT key → values) for a session built with the adapter; empty without one. */
  adapterFeeds(useAdapter: boolean): Record<string, Feed> {
    if (!useAdapter || !this.adapterState) return {};
    this.adapterFeedCache ??= Object.fromEntries(this.adapterState.parameters.map((p) => [p.name, p.data]));
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
