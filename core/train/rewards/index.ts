/** The reward runner and GRPO advantage helpers (part of `attune/train`). */
export * from './advantages.js';
export * from './reward-runner.js';
export * from './reward-set.js';
export * from './completions-file.js';
