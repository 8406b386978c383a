/**
 * The values of one LoRA adapter: an A [r, in] and B [out, r] per adapted projection, as
 * optimizer parameters named by their PEFT keys, so the same names serve as graph parameters,
 * gradient keys, checkpoint keys and adapter_model.safetensors keys.
 */
import type { Parameter } from '../../engine/optim/parameter.js';
import type { DecoderConfig } from '../folder/config.js';
import { LoraError } from './errors.js';
import type { LoraConfig } from './lora-config.js';
import { loraScale } from './lora-config.js';
import { peftKey, projectionShape } from './targets.js';
import type { LoraTargetModule } from './targets.js';

export interface LoraPairRef {
  readonly layer: number;
  readonly module: LoraTargetModule;
  readonly a: Parameter;
  readonly b: Parameter;
}

export class LoraState {
  private readonly byKey: ReadonlyMap<string, Parameter>;

  /** `parameters` must hold exactly the pairs `config` implies for `numLayers` layers. */
  constructor(
    readonly config: LoraConfig,
    readonly numLayers: number,
    readonly parameters: readonly Parameter[],
  ) {
    this.byKey = new Map(parameters.map((p) => [p.name, p]));
    for (let layer = 0; layer < numLayers; layer++) {
      for (const module of config.targetModules) {
        for (const factor of ['A', 'B'] as const) {
          if (!this.byKey.has(peftKey(layer, module, factor))) throw new LoraError(`LoRA state: no tensor "${peftKey(layer, module, factor)}"`);
        }
      }
    }
    if (this.byKey.size !== numLayers * config.targetModules.length * 2) {
      throw new LoraError(`LoRA state: ${this.byKey.size} tensors for ${numLayers} layers × ${config.targetModules.length} targets × 2 factors`);
    }
  }

  get scale(): number {
    return loraScale(this.config);
  }

  factor(layer: number, module: LoraTargetModule, factor: 'A' | 'B'): Parameter {
    const key = peftKey(layer, module, factor);
    const p = this.byKey.get(key);
    if (!p) throw new LoraError(`LoRA state: no tensor "${key}" (targets: ${this.config.targetModules.join(', ')}, ${this.numLayers} layers)`);
    return p;
  }

  /** Every adapted projection, layer by layer in decoder order. */
  pairs(): LoraPairRef[] {
    const out: LoraPairRef[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (const module of this.config.targetModules) out.push({ layer, module, a: this.factor(layer, module, 'A'), b: this.factor(layer, module, 'B') });
    }
    return out;
  }

  /** A deep copy (optimizers update parameters in place). */
  clone(): LoraState {
    return new LoraState(this.config, this.numLayers, this.parameters.map((p) => ({ name: p.name, shape: [...p.shape], data: p.data.slice() })));
  }
}

/** Names and shapes of every factor an adapter with `config` has on a model, in decoder order. */
export function loraFactorShapes(config: LoraConfig, model: DecoderConfig): { name: string; shape: [number, number]; layer: number; module: LoraTargetModule; factor: 'A' | 'B' }[] {
  const out: { name: string; shape: [number, number]; layer: number; module: LoraTargetModule; factor: 'A' | 'B' }[] = [];
  for (let layer = 0; layer < model.numLayers; layer++) {
    for (const module of config.targetModules) {
      const [outDim, inDim] = projectionShape(model, module);
      out.push({ name: peftKey(layer, module, 'A'), shape: [config.r, inDim], layer, module, factor: 'A' });
      out.push({ name: peftKey(layer, module, 'B'), shape: [outDim, config.r], layer, module, factor: 'B' });
    }
  }
  return out;
}

/**
 * Checks that an in-memory adapter fits `model` (layer count and every factor's shape and size);
 * `source` names the adapter in the error. Adapters read from disk are checked by loadLoraAdapter.
 */
export function checkLoraStateFits(state: LoraState, model: DecoderConfig, source: string): void {
  if (state.numLayers !== model.numLayers) {
    throw new LoraError(`${source}: the adapter has ${state.numLayers} layers but the base model (${model.architecture}) has ${model.numLayers}`, 'use the base model the adapter was made for');
  }
  for (const { name, shape, layer, module, factor } of loraFactorShapes(state.config, model)) {
    const p = state.factor(layer, module, factor);
    if (p.shape.length !== 2 || p.shape[0] !== shape[0] || p.shape[1] !== shape[1] || p.data.length !== shape[0] * shape[1]) {
      throw new LoraError(
        `${source}: tensor "${name}" has shape [${p.shape.join(', ')}] and ${p.data.length} values; r=${state.config.r} on this base model (${model.architecture}, hidden ${model.hiddenSize}) implies [${shape.join(', ')}]`,
        'the adapter was made for a different base model or rank',
      );
    }
  }
}
