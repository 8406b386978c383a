/**
 * Checks the safetensors headers against what the config says the model needs, before any
 * weight is read: every problem is listed with its file and tensor, not just the first.
 */
import { isFloatDType } from '../safetensors/dtype.js';
import type { SafetensorsWeights } from '../safetensors/sharded.js';
import type { DecoderConfig } from './config.js';
import { ModelFolderError } from './errors.js';
import { expectedTensors } from './expected-tensors.js';
import type { ExpectedTensor } from './expected-tensors.js';

export interface WeightCheck {
  /** Tensors present in the files that the architecture does not use (e.g. rotary caches); ignored. */
  unused: string[];
}

const MAX_LISTED = 12;

export function checkWeights(config: DecoderConfig, weights: SafetensorsWeights, configFile: string): WeightCheck {
  const { unused } = checkExpectedTensors(expectedTensors(config), weights, configFile, `${config.architecture} config`);
  return { unused: unused.filter((n) => !(config.tieWordEmbeddings && n === 'lm_head.weight')) };
}

/** Every expected tensor present, floating point and of the expected shape; `what` names the config in the message. */
export function checkExpectedTensors(expected: readonly ExpectedTensor[], weights: SafetensorsWeights, configFile: string, what: string): WeightCheck {
  const problems: string[] = [];
  for (const { name, shape } of expected) {
    if (!weights.has(name)) {
      problems.push(`${weights.source}: missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
      continue;
    }
    const found = weights.locate(name);
    if (!isFloatDType(found.dtype)) {
      problems.push(`${found.path}: tensor "${name}" has dtype ${found.dtype}; expected F32, F16 or BF16`);
    }
    if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      problems.push(`${found.path}: tensor "${name}" has shape [${found.shape.join(', ')}]; ${configFile} implies [${shape.join(', ')}]`);
    }
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED);
    if (problems.length > MAX_LISTED) listed.push(`... and ${problems.length - MAX_LISTED} more`);
    throw new ModelFolderError(
      `weights do not match ${what} (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${listed.join('\n  ')}`,
      'the config.json and the safetensors files must come from the same checkpoint',
    );
  }
  const wanted = new Set(expected.map((e) => e.name));
  return { unused: weights.names().filter((n) => !wanted.has(n)) };
}
