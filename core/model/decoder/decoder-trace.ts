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
import { attention, linear, lmHeadCrossEntropy, tokenLogProbs } from '../../engine/primitives/index.js';
import type { LmHeadCrossEntropyResult } from '../../engine/primitives/index.js';
import type { DecoderConfig } from '../folder/config.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { decoderStack } from './decoder-layers.js';
import type { RotaryContext } from './decoder-layers.js';
import { frozenDecoderWeights, trainableDecoderWeights } from './decoder-weights.js';
import type { QuantizedStore } from '../quantize/quantized-store.js';
import { withQuantizedWeights } from '../quantize/quantized-weights.js';
import type { ComputeDType, DecoderWeights } from './decoder-weights.js';
import { DECODER_INPUTS } from './inputs.js';
import type { DropoutInput } from './inputs.js';
import { declareLoraFactors, NO_LORA } from './lora-adapters.js';
import type { LoraLookup } from './lora-adapters.js';
import { positionIdsFromMask, repeatedHalves, rotaryHalfTables } from './positions.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';

export { DECODER_INPUTS } from './inputs.js';
export type { DropoutInput } from './inputs.js';

/** The parts of an opened model folder the trace needs. */
export interface DecoderModel {
  readonly config: DecoderConfig;
  readonly weights: SafetensorsWeights;
  /**
   * The projections block-quantized (QLoRA): traces multiply through them instead of the fp32
   * weights — forward exactly through the dequantized values, backward too. Embeddings, norms and
   * the LM head stay fp32. See `withQuantization`.
   */
  readonly quantized?: QuantizedStore;
  /** Training traces recompute layer activations in the backward (a trace option overrides it). */
  readonly checkpointLayers?: boolean;
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
  /**
   * Activation recomputation per layer (HF's gradient checkpointing): the backward re-runs each
   * layer's forward, so only the layer inputs are kept between forward and backward — far less
   * memory for about one more forward of compute. The LM head weight is then also copied at run
   * time rather than prepacked by onnxruntime (see `lmHeadWeight`). Default: the model's
   * `checkpointLayers`, else false.
   */
  readonly checkpointLayers?: boolean;
}

type Which = 'policy' | 'reference';

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
  private readonly lora: LoraLookup;
  private readonly keyMask: Tensor;
  /** Rotary tables [B, S, hd/2] (see RotaryContext). */
  private readonly halfTables: { readonly cos: Tensor; readonly sin: Tensor };
  private readonly memo = new Map<string, unknown>();
  private readonly checkpointLayers: boolean;

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
    this.checkpointLayers = options.checkpointLayers ?? model.checkpointLayers ?? false;
    this.inputIds = g.input(DECODER_INPUTS.inputIds, 'int64', ['batch', 'seq']);
    this.attentionMask = g.input(DECODER_INPUTS.attentionMask, 'int64', ['batch', 'seq']);
    this.positionIds = options.positions === 'input' ? g.input(DECODER_INPUTS.positionIds, 'int64', ['batch', 'seq']) : positionIdsFromMask(this.attentionMask);
    this.keyMask = ops.cast(this.attentionMask, this.dtype);
    this.halfTables = rotaryHalfTables(this.positionIds, config, this.dtype);

    if (this.trainable.kind === 'full') {
      const { weights, parameters } = trainableDecoderWeights(g, config, this.dtype);
      this.policyWeights = weights;
      this.parameters = parameters;
      this.lora = NO_LORA;
      this.dropoutInputs = [];
    } else {
      const frozen = frozenDecoderWeights(g, config, model.weights, this.dtype);
      // Training computes in fp32 on the dequantized weights (accuracy level 0), as QLoRA does.
      this.policyWeights = model.quantized ? withQuantizedWeights(g, config, frozen, model.quantized, { accuracyLevel: 0, lmHead: false }) : frozen;
      this.referenceWeights = this.policyWeights;
      const declared = this.trainable.kind === 'lora' ? declareLoraFactors(g, config, this.trainable.lora, this.dtype, options.dropout !== false) : undefined;
      this.parameters = declared?.parameters ?? [];
      this.lora = declared?.lookup ?? NO_LORA;
      this.dropoutInputs = declared?.dropoutInputs ?? [];
    }
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
    const head = this.weightsOf(which).lmHead;
    if (!head) throw new Error('decoder: this model is a sequence classifier and has no LM head; trace hidden states and apply its score head');
    if (!this.checkpointLayers || head.requiresGrad) return head;
    // Memory first: onnxruntime prepacks a constant GEMM operand once per layout it is used in
    // (the logits take Wᵀ, the hidden-state gradient W), each a permanent copy the size of the
    // head (~0.4 GB kept for smol's tied 49k × 576 head). A runtime copy made each step is
    // not prepacked; it costs one pass over the head and unpacked GEMMs (measured +8 % step).
    return this.once(`lm-head-unpacked:${head.name}`, () => ops.after(head, [this.keyMask]));
  }

  /** Logits [batch, seq, vocab]. Costly at large vocabularies: ask only when a caller needs them. */
  logits(which: Which = 'policy'): Tensor {
    return this.once(`logits:${which}`, () => linear(which === 'policy' ? this.hidden() : this.referenceHidden(), this.lmHeadWeight(which)));
  }

  /** The int64 [batch, seq] `labels` input: HF causal-LM labels (unshifted, −100 ignored). */
  labels(): Tensor {
    return this.once('labels', () => this.graph.input(DECODER_INPUTS.labels, 'int64', ['batch', 'seq']));
  }

  /** Next-token targets [batch*seq]: labels shifted left by one, IGNORE_INDEX after each row's last position. */
  nextTokenTargets(): Tensor {
    return this.once('targets', () => {
      const g = this.graph;
      const rest = ops.slice(this.labels(), { axis: 1, start: 1 });
      const tail = ops.expandTo(g.constant([IGNORE_INDEX], 'int64', [1, 1]), ['batch', 1]);
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

  /** log p(target | prefix) [batch*seq] of each next-token target (aligned with `nextTokenTargets`; 0 where ignored). */
  targetLogProbs(which: Which = 'policy'): Tensor {
    return this.once(`target-logprobs:${which}`, () => tokenLogProbs(this.flatHidden(which), this.lmHeadWeight(which), this.nextTokenTargets()));
  }

  /**
   * log p(labels[b, t] | tokens < t) as [batch, seq], aligned with `labels`: 0 where the label
   * is −100 and at t = 0, so `labels != −100` masks it.
   */
  tokenLogProbs(which: Which = 'policy'): Tensor {
    return this.once(`logprobs:${which}`, () => {
      const next = ops.reshape(this.targetLogProbs(which), ['batch', 'seq']);
      const first = ops.expandTo(this.graph.scalar(0, this.dtype), ['batch', 1]);
      return ops.concat([first, ops.slice(next, { axis: 1, end: -1 })], 1);
    });
  }

  private forward(w: DecoderWeights, adapted: boolean): Tensor {
    const attn = { scale: 1 / Math.sqrt(this.config.headDim), causal: true, keyPaddingMask: this.keyMask };
    // Recomputed layers keep the portable rotation: with onnxruntime's kernel there, the smol int4
    // checkpointed step peaked ~80 MB higher (955–973 vs 877–887 MB) at the same speed.
    const rotary: RotaryContext = this.checkpointLayers ? this.once('rotary-full', () => repeatedHalves(this.halfTables)) : { halfTables: this.halfTables };
    return decoderStack(w, this.inputIds, {
      config: this.config,
      ...rotary,
      lora: adapted ? this.lora : NO_LORA,
      attend: (q, k, v) => attention(q, k, v, attn),
      checkpointLayers: this.checkpointLayers,
    });
  }
}
