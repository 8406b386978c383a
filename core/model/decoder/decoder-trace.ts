/**
 * A Hugging Face decoder (Llama / Qwen2 / Mistral) traced onto the engine for training: the
 * forward with frozen file-backed weights, LoRA factors or every weight as trainable parameters,
 * and — only when asked — logits, final hidden states, the causal-LM loss, per-token log-probs of
 * the labels, and the same forward with the adapter off (the reference for KL terms).
 *
 * The trainer owns the graph: it asks for the tensors its objectives need, adds its own heads
 * and losses, takes `gradients` over `trace.parameters`, and compiles one program.
 *
 * Semantics follow transformers exactly: RMSNorm with the config's eps, rotate_half RoPE with the
 * config's theta and scaling, grouped-query attention, q/k/v biases (Qwen2), tied embeddings,
 * causal + key-padding masks, and position ids from the cumulative attention mask, so left and
 * right padding give real tokens the same positions. Labels are HF's unshifted labels (−100
 * ignored); the shift to next-token targets happens inside the graph.
 */
import type { Tensor } from '../../engine/index.js';
import { Graph, ops } from '../../engine/index.js';
import { attention, linear, lmHeadCrossEntropy, rmsNorm, rotaryEmbedding, swiglu, tokenLogProbs } from '../../engine/primitives/index.js';
import type { LmHeadCrossEntropyResult, LoraAdapter } from '../../engine/primitives/index.js';
import type { DecoderConfig } from '../folder/config.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { loraScale } from '../lora/lora-config.js';
import { peftKey, projectionShape } from '../lora/targets.js';
import type { LoraTargetModule } from '../lora/targets.js';
import { frozenDecoderWeights, trainableDecoderWeights } from './decoder-weights.js';
import type { ComputeDType, DecoderWeights, ProjectionWeights } from './decoder-weights.js';
import { positionIdsFromMask, rotaryTables } from './positions.js';

/** The parts of an opened model folder the trace needs. */
export interface DecoderModel {
  readonly config: DecoderConfig;
  readonly weights: SafetensorsWeights;
}

export type Trainable =
  /** Everything frozen (evaluation, reference scoring). */
  | { readonly kind: 'none' }
  /** LoRA factors are parameters named by their PEFT keys; the base stays frozen. */
  | { readonly kind: 'lora'; readonly lora: LoraConfig }
  /** Every weight is a parameter named by its HF tensor name (small models). */
  | { readonly kind: 'full' };

export interface DecoderTraceOptions {
  /** float32 for training; float64 for gradient checks. Default float32. */
  readonly dtype?: ComputeDType;
  /** Default: nothing trainable. */
  readonly trainable?: Trainable;
  /**
   * LoRA dropout masks as graph inputs when lora.dropout > 0 (see `loraDropoutFeeds`). Set false
   * for evaluation graphs, which then apply no dropout. Default true.
   */
  readonly dropout?: boolean;
  /** 'mask' (default): positions from the attention mask; 'input': fed as int64 `position_ids`. */
  readonly positions?: 'mask' | 'input';
}

export const DECODER_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  labels: 'labels',
  loraDropout: (layer: number, module: LoraTargetModule): string => `lora_dropout.${layer}.${module}`,
} as const;

/** One LoRA dropout mask input: [batch, seq, inDim], 0 or 1/(1−p) per element. */
export interface DropoutInput {
  readonly name: string;
  readonly layer: number;
  readonly module: LoraTargetModule;
  readonly inDim: number;
  readonly p: number;
}

type Which = 'policy' | 'reference';

/** [B, S, n·hd] → [B, n, S, hd] */
function splitHeads(x: Tensor, n: number, hd: number): Tensor {
  return ops.transpose(ops.reshape(x, ['batch', 'seq', n, hd]), [0, 2, 1, 3]);
}

function project(x: Tensor, w: ProjectionWeights, lora: LoraAdapter | undefined): Tensor {
  return linear(x, w.weight, { ...(w.bias ? { bias: w.bias } : {}), ...(lora ? { lora } : {}) });
}

export class DecoderTrace {
  readonly config: DecoderConfig;
  readonly dtype: ComputeDType;
  readonly trainable: Trainable;
  /** int64 [batch, seq]. */
  readonly inputIds: Tensor;
  /** int64 [batch, seq]: 1 real token, 0 padding. */
  readonly attentionMask: Tensor;
  /** int64 [batch, seq]: computed from the mask, or the fed input. */
  readonly positionIds: Tensor;
  /** What `gradients` should differentiate: LoRA factors, or every weight. */
  readonly parameters: readonly Tensor[];
  readonly dropoutInputs: readonly DropoutInput[];

  private readonly policyWeights: DecoderWeights;
  private referenceWeights: DecoderWeights | undefined;
  private readonly lora: ReadonlyMap<string, LoraAdapter>;
  private readonly keyMask: Tensor;
  private readonly cos: Tensor;
  private readonly sin: Tensor;
  private readonly memo = new Map<string, unknown>();

  private constructor(
    readonly graph: Graph,
    private readonly model: DecoderModel,
    options: DecoderTraceOptions,
  ) {
    const g = graph;
    const config = model.config;
    this.config = config;
    this.dtype = options.dtype ?? 'float32';
    this.trainable = options.trainable ?? { kind: 'none' };
    this.inputIds = g.input(DECODER_INPUTS.inputIds, 'int64', ['batch', 'seq']);
    this.attentionMask = g.input(DECODER_INPUTS.attentionMask, 'int64', ['batch', 'seq']);
    this.positionIds = options.positions === 'input' ? g.input(DECODER_INPUTS.positionIds, 'int64', ['batch', 'seq']) : positionIdsFromMask(this.attentionMask);
    this.keyMask = ops.cast(this.attentionMask, this.dtype);
    ({ cos: this.cos, sin: this.sin } = rotaryTables(this.positionIds, config, this.dtype));

    const lora = new Map<string, LoraAdapter>();
    const dropoutInputs: DropoutInput[] = [];
    if (this.trainable.kind === 'full') {
      const { weights, parameters } = trainableDecoderWeights(g, config, this.dtype);
      this.policyWeights = weights;
      this.parameters = parameters;
    } else {
      this.policyWeights = frozenDecoderWeights(g, config, model.weights, this.dtype);
      this.referenceWeights = this.policyWeights;
      const parameters: Tensor[] = [];
      if (this.trainable.kind === 'lora') {
        const c = this.trainable.lora;
        const scale = loraScale(c);
        const withDropout = c.dropout > 0 && options.dropout !== false;
        for (let layer = 0; layer < config.numLayers; layer++) {
          for (const module of c.targetModules) {
            const [out, inDim] = projectionShape(config, module);
            const a = g.parameter(peftKey(layer, module, 'A'), this.dtype, [c.r, inDim]);
            const b = g.parameter(peftKey(layer, module, 'B'), this.dtype, [out, c.r]);
            parameters.push(a, b);
            let dropoutMask: Tensor | undefined;
            if (withDropout) {
              const name = DECODER_INPUTS.loraDropout(layer, module);
              dropoutMask = g.input(name, this.dtype, ['batch', 'seq', inDim]);
              dropoutInputs.push({ name, layer, module, inDim, p: c.dropout });
            }
            lora.set(`${layer}.${module}`, { a, b, scale, ...(dropoutMask ? { dropoutMask } : {}) });
          }
        }
      }
      this.parameters = parameters;
    }
    this.lora = lora;
    this.dropoutInputs = dropoutInputs;
  }

  /** Traces the inputs and weights into `graph` (a fresh one by default); outputs are traced on request. */
  static trace(model: DecoderModel, options: DecoderTraceOptions = {}, graph: Graph = new Graph()): DecoderTrace {
    return new DecoderTrace(graph, model, options);
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  private weightsOf(which: Which): DecoderWeights {
    if (which === 'policy') return this.policyWeights;
    // Full fine-tuning: the reference is the checkpoint as loaded, a second (frozen) copy.
    this.referenceWeights ??= frozenDecoderWeights(this.graph, this.config, this.model.weights, this.dtype, 'reference/');
    return this.referenceWeights;
  }

  /** Final hidden states [batch, seq, hidden] after the last RMSNorm (the lm_head's input). */
  hidden(): Tensor {
    return this.once('hidden:policy', () => this.forward(this.policyWeights, true));
  }

  /** The same forward with the adapter off (or the weights as loaded, under full fine-tuning). */
  referenceHidden(): Tensor {
    if (this.trainable.kind === 'none') return this.hidden();
    return this.once('hidden:reference', () => this.forward(this.weightsOf('reference'), false));
  }

  /** lm_head weight [vocab, hidden] (the embedding when tied). */
  lmHeadWeight(which: Which = 'policy'): Tensor {
    return this.weightsOf(which).lmHead;
  }

  /** Logits [batch, seq, vocab]. Costly at large vocabularies: ask only when a caller needs them. */
  logits(which: Which = 'policy'): Tensor {
    return this.once(`logits:${which}`, () => linear(which === 'policy' ? this.hidden() : this.referenceHidden(), this.lmHeadWeight(which)));
  }

  /** The int64 [batch, seq] `labels` input: HF causal-LM labels (unshifted, −100 ignored). */
  labels(): Tensor {
    return this.once('labels', () => this.graph.input(DECODER_INPUTS.labels, 'int64', ['batch', 'seq']));
  }

  /** Next-token targets: labels shifted left by one, −100 after each row's last position. */
  private nextTokenTargets(): Tensor {
    return this.once('targets', () => {
      const g = this.graph;
      const rest = ops.slice(this.labels(), { axis: 1, start: 1 });
      const tail = ops.expandTo(g.constant([-100], 'int64', [1, 1]), ['batch', 1]);
      return ops.reshape(ops.concat([rest, tail], 1), ['batch*seq']);
    });
  }

  private flatHidden(which: Which): Tensor {
    return ops.reshape(which === 'policy' ? this.hidden() : this.referenceHidden(), ['batch*seq', this.config.hiddenSize]);
  }

  /**
   * Causal-LM loss on `labels` as HF computes it, as a sum over counted tokens and their count
   * (mean = lossSum / count; accumulate both across micro-batches for an exact token mean).
   */
  lmLoss(): LmHeadCrossEntropyResult {
    return this.once('lmLoss', () => lmHeadCrossEntropy(this.flatHidden('policy'), this.lmHeadWeight('policy'), this.nextTokenTargets()));
  }

  /**
   * log p(labels[b, t] | tokens < t) as [batch, seq], aligned with `labels`: 0 where the label
   * is −100 and at t = 0, so `labels != −100` masks it.
   */
  tokenLogProbs(which: Which = 'policy'): Tensor {
    return this.once(`logprobs:${which}`, () => {
      const next = ops.reshape(tokenLogProbs(this.flatHidden(which), this.lmHeadWeight(which), this.nextTokenTargets()), ['batch', 'seq']);
      const first = ops.expandTo(this.graph.scalar(0, this.dtype), ['batch', 1]);
      return ops.concat([first, ops.slice(next, { axis: 1, end: -1 })], 1);
    });
  }

  private forward(w: DecoderWeights, adapted: boolean): Tensor {
    const c = this.config;
    const { numHeads: nH, numKvHeads: nKV, headDim: hd, rmsNormEps: eps } = c;
    const lora = (layer: number, module: LoraTargetModule): LoraAdapter | undefined => (adapted ? this.lora.get(`${layer}.${module}`) : undefined);
    const attn = { scale: 1 / Math.sqrt(hd), causal: true, keyPaddingMask: this.keyMask };
    let h = ops.gather(w.embed, this.inputIds);
    w.layers.forEach((lw, i) => {
      const x = rmsNorm(h, lw.inputNorm, eps);
      const q = rotaryEmbedding(splitHeads(project(x, lw.q, lora(i, 'q_proj')), nH, hd), this.cos, this.sin);
      const k = rotaryEmbedding(splitHeads(project(x, lw.k, lora(i, 'k_proj')), nKV, hd), this.cos, this.sin);
      const v = splitHeads(project(x, lw.v, lora(i, 'v_proj')), nKV, hd);
      const o = ops.reshape(ops.transpose(attention(q, k, v, attn), [0, 2, 1, 3]), ['batch', 'seq', nH * hd]);
      h = ops.add(h, project(o, lw.o, lora(i, 'o_proj')));
      const y = rmsNorm(h, lw.postAttentionNorm, eps);
      const act = swiglu(project(y, lw.gate, lora(i, 'gate_proj')), project(y, lw.up, lora(i, 'up_proj')));
      h = ops.add(h, project(act, lw.down, lora(i, 'down_proj')));
    });
    return rmsNorm(h, w.finalNorm, eps);
  }
}
