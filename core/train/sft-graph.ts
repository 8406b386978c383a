/**
 * Traces the SFT graph: the decoder with trainable LoRA factors, the context objectives build
 * against, their terms, the weighted total and (for training) its gradients. Only what the
 * objectives' `needs` ask for is traced: the reference forward exists only for a term that
 * needs the adapter-off model, a label input only for a term that reads it.
 */
import type { Program, Tensor } from '../engine/index.js';
import { Graph, gradients, ops } from '../engine/index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import { declareDecoderWeights } from '../model/generation/decoder-weights.js';
import type { LoraModule } from '../model/generation/peft-adapter.js';
import type { SafetensorsWeights } from '../model/safetensors/sharded.js';
import { AttuneError } from '../kernel/errors.js';
import type { ParameterInit } from './init.js';
import type { LoraConfig } from './lora.js';
import { loraFactors, loraScale } from './lora.js';
import { DROPOUT_SITES, siteOf, siteWidth, traceDecoder } from './decoder-trace.js';
import type { DropoutSite } from './decoder-trace.js';
import type { LabelField, SftBuildContext, SftObjective, SftTerm } from './objective.js';

export const feedNames = {
  ids: 'input_ids',
  mask: 'attention_mask',
  positions: 'position_ids',
  targets: 'targets',
  lastPrompt: 'last_prompt_index',
  label: (name: string): string => `label.${name}`,
  dropout: (layer: number, site: DropoutSite): string => `dropout.${layer}.${site}`,
} as const;

export const outputNames = {
  total: 'loss',
  term: (name: string): string => `term.${name}`,
  sum: (name: string): string => `sum.${name}`,
  count: (name: string): string => `count.${name}`,
  logits: (name: string): string => `logits.${name}`,
} as const;

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParameterInit;
  /** 'lora' factors go to the PEFT adapter, 'head' tensors to heads.safetensors. */
  readonly group: 'lora' | 'head';
}

export interface DropoutInput {
  readonly name: string;
  readonly width: number;
}

export interface SftGraphOptions {
  readonly config: DecoderConfig;
  readonly weights: SafetensorsWeights;
  readonly lora: LoraConfig;
  readonly objectives: readonly SftObjective[];
  /** Training graph: dropout masks (when lora.dropout > 0) and gradients of the total. */
  readonly training: boolean;
}

export interface SftGraph {
  readonly program: Program;
  readonly parameters: readonly ParameterSpec[];
  readonly labelFields: readonly LabelField[];
  readonly dropoutInputs: readonly DropoutInput[];
  /** Terms with a pooled count/sum output and a predictions output, by term name. */
  readonly terms: readonly { readonly name: string; readonly weight: number; readonly pooled: boolean; readonly predicts?: string }[];
}

export function buildSftGraph(options: SftGraphOptions): SftGraph {
  const { config, lora, objectives, training } = options;
  if (objectives.length === 0) throw new AttuneError('SFT graph: no objective has a non-zero weight.', 'Give at least one objective a weight above 0.');
  const names = new Set<string>();
  for (const o of objectives) {
    if (names.has(o.name)) throw new AttuneError(`SFT graph: two objectives are named '${o.name}'.`, 'Each loss term needs its own name (metrics are logged under it).');
    names.add(o.name);
  }
  const g = new Graph();
  const w = declareDecoderWeights(g, config, options.weights);
  const ids = g.input(feedNames.ids, 'int64', ['batch', 'seq']);
  const mask = g.input(feedNames.mask, 'float32', ['batch', 'seq']);
  const positions = g.input(feedNames.positions, 'float32', ['batch', 'seq']);
  const targets2d = g.input(feedNames.targets, 'int64', ['batch', 'seq']);
  const lastPrompt = g.input(feedNames.lastPrompt, 'int64', ['batch']);

  const parameters: ParameterSpec[] = [];
  const factors = new Map<string, { a: Tensor; b: Tensor }>();
  for (const f of loraFactors(config, lora)) {
    factors.set(`${f.layer}.${f.module}`, { a: g.parameter(f.a.name, 'float32', f.a.shape), b: g.parameter(f.b.name, 'float32', f.b.shape) });
    parameters.push({ ...f.a, group: 'lora' }, { ...f.b, group: 'lora' });
  }
  const dropoutInputs: DropoutInput[] = [];
  const masks = new Map<string, Tensor>();
  if (training && lora.dropout > 0) {
    const sites = new Set<DropoutSite>(lora.targetModules.map((m) => siteOf(m)));
    for (let layer = 0; layer < config.numLayers; layer++) {
      for (const site of DROPOUT_SITES) {
        if (!sites.has(site)) continue;
        const width = siteWidth(config, site);
        const name = feedNames.dropout(layer, site);
        masks.set(`${layer}.${site}`, g.input(name, 'float32', ['batch', 'seq', width]));
        dropoutInputs.push({ name, width });
      }
    }
  }
  const inputs = { ids, mask, positions };
  const policy = traceDecoder(config, w, inputs, {
    scale: loraScale(lora),
    factors: (layer: number, module: LoraModule) => factors.get(`${layer}.${module}`),
    dropoutMask: (layer, site) => masks.get(`${layer}.${site}`),
  });
  const H = config.hiddenSize;
  const hidden = ops.reshape(policy, ['batch*seq', H]);
  const targets = ops.reshape(targets2d, ['batch*seq']);
  const targetMask = ops.cast(ops.notEqual(targets, -100), 'float32');
  const pooled = ops.gather(hidden, lastPrompt, 0);
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

  const outputs: Record<string, Tensor> = {};
  const terms: SftGraph['terms'][number][] = [];
  let total: Tensor | undefined;
  for (const o of objectives) {
    const declared = new Set(o.needs.labels ?? []);
    const ctx: SftBuildContext = {
      graph: g,
      training,
      hiddenSize: H,
      hidden,
      lmHead: w.lmHead,
      targets,
      targetMask,
      pooled,
      referenceHidden: () => {
        if (!o.needs.referenceModel) throw new AttuneError(`Objective '${o.name}' asked for the reference model without declaring needs.referenceModel.`);
        reference ??= ops.reshape(traceDecoder(config, w, inputs), ['batch*seq', H]);
        return reference;
      },
      label: (name) => {
        const t = labelInputs.get(name);
        if (!t || !declared.has(name)) {
          throw new AttuneError(`Objective '${o.name}' reads label '${name}' but does not declare it in needs.labels and labelFields.`);
        }
        return t;
      },
      parameter: (name, shape, init) => {
        const full = `heads.${o.name}.${name}`;
        parameters.push({ name: full, shape: [...shape], init, group: 'head' });
        return g.parameter(full, 'float32', [...shape]);
      },
    };
    const term: SftTerm = o.build(ctx);
    if (term.loss.rank !== 0) throw new AttuneError(`Objective '${o.name}' returned a loss of shape [${term.loss.shape.join(', ')}]; it must be a scalar.`);
    outputs[outputNames.term(o.name)] = term.loss;
    const pooledStats = term.sum !== undefined && term.count !== undefined;
    if (pooledStats) {
      outputs[outputNames.sum(o.name)] = term.sum as Tensor;
      outputs[outputNames.count(o.name)] = term.count as Tensor;
    }
    if (!training && term.predictions) outputs[outputNames.logits(o.name)] = term.predictions.logits;
    terms.push({ name: o.name, weight: o.weight, pooled: pooledStats, ...(term.predictions ? { predicts: term.predictions.label } : {}) });
    const weighted = o.weight === 1 ? term.loss : ops.mul(term.loss, o.weight);
    total = total ? ops.add(total, weighted) : weighted;
  }
  outputs[outputNames.total] = total as Tensor;
  if (training) {
    const params = g.parameters;
    Object.assign(outputs, gradients(total as Tensor, params));
  }
  return { program: g.compile({ outputs }), parameters, labelFields, dropoutInputs, terms };
}
