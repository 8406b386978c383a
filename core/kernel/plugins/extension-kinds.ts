/**
 * The six extension points, by the registry name plugins use (`ctx.sources.register(…)`)
 * and the instance type their items create.
 */
import type { DatasetSource } from '../extension-points/dataset-source.js';
import type { DecodingPolicy } from '../extension-points/decoding-policy.js';
import type { Evaluator } from '../extension-points/evaluator.js';
import type { Objective } from '../extension-points/objective.js';
import type { Reward } from '../extension-points/reward.js';
import type { Trainer } from '../extension-points/trainer.js';

export interface ExtensionInstances {
  sources: DatasetSource;
  objectives: Objective;
  rewards: Reward;
  trainers: Trainer;
  decoding: DecodingPolicy;
  evaluators: Evaluator;
}

export type ExtensionKind = keyof ExtensionInstances;

export const extensionKinds: Record<ExtensionKind, string> = {
  sources: 'DatasetSource',
  objectives: 'Objective',
  rewards: 'Reward',
  trainers: 'Trainer',
  decoding: 'DecodingPolicy',
  evaluators: 'Evaluator',
};

export const extensionKindNames = Object.keys(extensionKinds) as ExtensionKind[];
