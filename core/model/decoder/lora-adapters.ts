/**
 * LoRA factors declared on a decoder graph: an A [r, in] and B [out, r] per adapted projection,
 * named by their PEFT keys so a LoraState's parameters feed them (and gradients come back) by
 * name, plus — for training graphs — a dropout mask input per projection.
 */
import type { Graph, Tensor } from '../../engine/index.js';
import type { LoraAdapter } from '../../engine/primitives/index.js';
import type { DecoderConfig } from '../folder/config.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { loraScale } from '../lora/lora-config.js';
import { peftKey, projectionShape } from '../lora/targets.js';
import type { LoraTargetModule } from '../lora/targets.js';
import type { ComputeDType } from './decoder-weights.js';
import { DECODER_INPUTS } from './inputs.js';
import type { DropoutInput } from './inputs.js';

/** The adapter of one projection, or undefined where the projection is not adapted. */
export type LoraLookup = (layer: number, module: LoraTargetModule) => LoraAdapter | undefined;

export interface DeclaredLora {
  readonly lookup: LoraLookup;
  /** A then B per projection, layer by layer in decoder order. */
  readonly parameters: readonly Tensor[];
  readonly dropoutInputs: readonly DropoutInput[];
}

/** No adapter anywhere (the base model). */
export const NO_LORA: LoraLookup = () => undefined;

/** Declares the factors as graph parameters; dropout masks only when `withDropout` and lora.dropout > 0. */
export function declareLoraFactors(g: Graph, config: DecoderConfig, lora: LoraConfig, dtype: ComputeDType, withDropout: boolean): DeclaredLora {
  const scale = loraScale(lora);
  const adapters = new Map<string, LoraAdapter>();
  const parameters: Tensor[] = [];
  const dropoutInputs: DropoutInput[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const module of lora.targetModules) {
      const [out, inDim] = projectionShape(config, module);
      const a = g.parameter(peftKey(layer, module, 'A'), dtype, [lora.r, inDim]);
      const b = g.parameter(peftKey(layer, module, 'B'), dtype, [out, lora.r]);
      parameters.push(a, b);
      let dropoutMask: Tensor | undefined;
      if (withDropout && lora.dropout > 0) {
        const name = DECODER_INPUTS.loraDropout(layer, module);
        dropoutMask = g.input(name, dtype, ['batch', 'seq', inDim]);
        dropoutInputs.push({ name, layer, module, inDim, p: lora.dropout });
      }
      adapters.set(`${layer}.${module}`, { a, b, scale, ...(dropoutMask ? { dropoutMask } : {}) });
    }
  }
  return { lookup: (layer, module) => adapters.get(`${layer}.${module}`), parameters, dropoutInputs };
}
