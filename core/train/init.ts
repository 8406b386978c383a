/**
 * Initial values for trainable tensors, drawn from a stream keyed by (seed, parameter name), so
 * a parameter's start value does not depend on which other parameters a config builds.
 */
import { seedWords, Xoshiro128 } from '../base/rng.js';
import { AttuneError } from '../base/errors.js';

export type ParameterInit =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly std: number }
  /** U(−bound, bound); PEFT's kaiming_uniform(a=√5) for LoRA A is bound = 1/√fan_in. */
  | { readonly kind: 'uniform'; readonly bound: number };

const INIT_STREAM = 0x1a17;

function nameWords(name: string): number[] {
  const words: number[] = [];
  for (let i = 0; i < name.length; i++) words.push(name.charCodeAt(i));
  return words;
}

export function initialValues(name: string, shape: readonly number[], init: ParameterInit, seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  if (init.kind === 'zeros') return data;
  if (init.kind === 'constant') {
    if (!Number.isFinite(init.value)) throw new AttuneError(`Parameter '${name}': constant init must be finite, got ${init.value}.`);
    return data.fill(init.value);
  }
  const rng = Xoshiro128.fromWords([...seedWords(seed), INIT_STREAM, ...nameWords(name)]);
  if (init.kind === 'uniform') {
    for (let i = 0; i < size; i++) data[i] = (rng.nextFloat() * 2 - 1) * init.bound;
    return data;
  }
  // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
    const theta = 2 * Math.PI * rng.nextFloat();
    data[i] = r * Math.cos(theta) * init.std;
    if (i + 1 < size) data[i + 1] = r * Math.sin(theta) * init.std;
  }
  return data;
}
