/**
 * Traces the SFT graph: the decoder with trainable LoRA factors, the context objectives build
 * against, their terms, the weighted total and (for training) its gradients. Only what the
 * objectives ask for is traced: the reference forward exists only once a term reads the
 * adapter-off model, a label input only for a label field a term declares.
 */
import type { Program, Tensor } from '../engine/index.js';
import { Graph, gradients, ops } from '../engine/index.js';
import { DECODER_INPUTS, DecoderTrace } from '../model/decoder/index.js';
import type { DecoderModel, DropoutInput } from '../model/decoder/index.js';
import type { LoraConfig } from '../model/lora/index.js';
import { AttuneError } from '../base/errors.js';
import { IGNORE_INDEX } from '../base/ignore-index.js';
import type { ParameterInit } from './init.js';
import type { ExampleInput, LabelField, SftBuildContext, SftObjective, SftTerm } from './objective.js';
import type { StepUnit } from './step-weights.js';

/** The decoder's own inputs (ids, int64 mask, HF labels) plus what the heads read. */
export const feedNames = {
  ids: DECODER_INPUTS.inputIds,
  mask: DECODER_INPUTS.attentionMask,
  labels: DECODER_INPUTS.labels,
  lastPrompt: 'last_prompt_index',
  label: (name: string): string => `label.${name}`,
  input: (name: string): string => `input.${name}`,
  /** Training only: 1/(the term's count over the optimizer step), a scalar per term. */
  norm: (name: string): string => `norm.${name}`,
} as const;

export const outputNames = {
  total: 'loss',
  term: (name: string): string => `term.${name}`,
  sum: (name: string): string => `sum.${name}`,
  count: (name: string): string => `count.${name}`,
  logits: (name: string): string => `logits.${name}`,
} as const;

/** A head tensor an objective asked for (LoRA factors are the trace's, named by PEFT keys). */
export interface HeadSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParameterInit;
}

export interface SftGraphOptions {
  readonly model: DecoderModel;
  readonly lora: LoraConfig;
  readonly objectives: readonly SftObjective[];
  /** Training graph: dropout masks (when lora.dropout > 0) and gradients of the total. */
  readonly training: boolean;
}

export interface SftGraph {
  readonly program: Program;
  /** Head tensors in graph order (after the LoRA factors). */
  readonly heads: readonly HeadSpec[];
  readonly labelFields: readonly LabelField[];
  readonly inputFields: readonly ExampleInput[];
  readonly dropoutInputs: readonly DropoutInput[];
  /** Terms with a pooled count/sum output, what their count counts, and a predictions output, by term name. */
  readonly terms: readonly { readonly name: string; readonly weight: number; readonly pooled: boolean; readonly unit: StepUnit; readonly predicts?: string }[];
}

export function buildSftGraph(options: SftGraphOptions): SftGraph {
  const { lora, objectives, training } = options;
  if (objectives.length === 0) throw new AttuneError('SFT graph: no objective has a non-zero weight.', 'Give at least one objective a weight above 0.');
  const names = new Set<string>();
  for (const o of objectives) {
    if (names.has(o.name)) throw new AttuneError(`SFT graph: two objectives are named '${o.name}'.`, 'Each loss term needs its own name (metrics are logged under it).');
    names.add(o.name);
  }
  const trace = DecoderTrace.trace(options.model, { trainable: { kind: 'lora', lora }, dropout: training }, new Graph());
  const g = trace.graph;
  const lastPrompt = g.input(feedNames.lastPrompt, 'int64', ['batch']);
  const H = options.model.config.hiddenSize;
  const hidden = ops.reshape(trace.hidden(), ['batch*seq', H]);
  const targets = trace.nextTokenTargets();
  const targetMask = ops.cast(ops.notEqual(targets, IGNORE_INDEX), 'float32');
  const pooled = ops.gather(hidden, lastPrompt, 0);
  const heads: HeadSpec[] = [];
  let reference: Tensor | undefined;

  const labelFields: LabelField[] = [];
  const labelInputs = new Map<string, Tensor>();
  for (const o of objectives) {
    for (const field of o.labelFields ?? []) {
      if (labelInputs.has(field.name)) {
        const prior = labelFields.find((f) => f.name === field.name);
        if (prior && prior.classes.join('\n') !== field.classes.join('\n')) {
          throw new AttuneError(`SFT graph: label '${field.name}' is declared twice with different classes.`, 'Objectives sharing a label must use the same taxonomy.');
        }
        continue;
      }
      labelInputs.set(field.name, g.input(feedNames.label(field.name), 'int64', ['batch']));
      labelFields.push(field);
    }
  }

  const inputFields: ExampleInput[] = [];
  const exampleInputs = new Map<string, Tensor>();
  for (const o of objectives) {
    for (const field of o.inputs ?? []) {
      if (exampleInputs.has(field.name)) continue;
      exampleInputs.set(field.name, g.input(feedNames.input(field.name), 'float32', ['batch']));
      inputFields.push(field);
    }
  }

  const outputs: Record<string, Tensor> = {};
  const terms: SftGraph['terms'][number][] = [];
  let total: Tensor | undefined;
  for (const o of objectives) {
    const declared = new Set((o.labelFields ?? []).map((f) => f.name));
    const declaredInputs = new Set((o.inputs ?? []).map((f) => f.name));
    const ctx: SftBuildContext = {
      graph: g,
      training,
      hiddenSize: H,
      hidden,
      lmHead: trace.lmHeadWeight(),
      targets,
      targetMask,
      pooled,
      referenceHidden: () => {
        reference ??= ops.reshape(trace.referenceHidden(), ['batch*seq', H]);
        return reference;
      },
      // The trace memoizes both, so terms sharing them trace them once.
      tokenLogProbs: (which = 'policy') => trace.targetLogProbs(which),
      logits: (which = 'policy') => ops.reshape(trace.logits(which), ['batch*seq', options.model.config.vocabSize]),
      input: (name) => {
        const t = exampleInputs.get(name);
        if (!t || !declaredInputs.has(name)) throw new AttuneError(`Objective '${o.name}' reads input '${name}' but does not declare it in inputs.`);
        return t;
      },
      label: (name) => {
        const t = labelInputs.get(name);
        if (!t || !declared.has(name)) {
          throw new AttuneError(`Objective '${o.name}' reads label '${name}' but does not declare it in labelFields.`);
        }
        return t;
      },
      parameter: (name, shape, init) => {
        const full = `heads.${o.name}.${name}`;
        heads.push({ name: full, shape: [...shape], init });
        return g.parameter(full, 'float32', [...shape]);
      },
    };
    const term: SftTerm = o.build(ctx);
    if (term.loss.rank !== 0) throw new AttuneError(`Objective '${o.name}' returned a loss of shape [${term.loss.shape.join(', ')}]; it must be a scalar.`);
    outputs[outputNames.term(o.name)] = term.loss;
    const pooledStats = term.sum !== undefined && term.count !== undefined;
    if (pooledStats !== (o.countUnit !== undefined)) {
      throw new AttuneError(
        pooledStats
          ? `Objective '${o.name}' returns sum and count but declares no countUnit.`
          : `Objective '${o.name}' declares countUnit but its term returns no ${term.sum === undefined ? 'sum' : 'count'}.`,
        "Declare countUnit ('targetTokens' or { label }) together with returning sum and count, or neither.",
      );
    }
    if (pooledStats) {
      outputs[outputNames.sum(o.name)] = term.sum as Tensor;
      outputs[outputNames.count(o.name)] = term.count as Tensor;
    }
    if (!training && term.predictions) outputs[outputNames.logits(o.name)] = term.predictions.logits;
    terms.push({ name: o.name, weight: o.weight, pooled: pooledStats, unit: o.countUnit ?? 'microBatch', ...(term.predictions ? { predicts: term.predictions.label } : {}) });
    // Training: Σ_k λ_k · sum_k · norm_k with norm_k = 1/(step count), so summed micro-batch
    // gradients are those of the step's exact per-term means. Evaluation: Σ_k λ_k · loss_k.
    const unweighted = training ? ops.mul(pooledStats ? (term.sum as Tensor) : term.loss, g.input(feedNames.norm(o.name), 'float32', [])) : term.loss;
    const weighted = o.weight === 1 ? unweighted : ops.mul(unweighted, o.weight);
    total = total ? ops.add(total, weighted) : weighted;
  }
  outputs[outputNames.total] = total as Tensor;
  if (training) {
    const params = g.parameters;
    Object.assign(outputs, gradients(total as Tensor, params));
  }
  return { program: g.compile({ outputs }), heads, labelFields, inputFields, dropoutInputs: trace.dropoutInputs, terms };
}
