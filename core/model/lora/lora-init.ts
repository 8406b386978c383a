/**
 * Fresh LoRA factors as PEFT initializes them: A with kaiming_uniform(a=√5), i.e.
 * U(−1/√in, 1/√in) (gain √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in)), and B with zeros so
 * the adapted model starts exactly at the base model. Each A draws from its own stream keyed by
 * (seed, layer, module), so adding a target does not change the others' values.
 */
import type { Parameter } from '../../engine/optim/parameter.js';
import { Xoshiro128, seedWords } from '../../base/rng.js';
import type { DecoderConfig } from '../folder/config.js';
import type { LoraConfig } from './lora-config.js';
import { LoraState, loraFactorShapes } from './lora-state.js';
import { LORA_TARGET_MODULES } from './targets.js';

export function initLora(config: LoraConfig, model: DecoderConfig, seed: number): LoraState {
  const [lo, hi] = seedWords(seed);
  const parameters: Parameter[] = loraFactorShapes(config, model).map(({ name, shape, layer, module, factor }) => {
    const data = new Float32Array(shape[0] * shape[1]);
    if (factor === 'A') {
      const fanIn = shape[1];
      const bound = 1 / Math.sqrt(fanIn);
      const rng = Xoshiro128.fromWords([lo, hi, layer, LORA_TARGET_MODULES.indexOf(module)]);
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng.nextFloat() - 1) * bound;
    }
    return { name, shape, data };
  });
  return new LoraState(config, model.numLayers, parameters);
}
