/**
 * `attune/data`: what a dataset-source author needs — the canonical example (schemas, the
 * known labels and their validated reader), readers for CSV/TSV/JSON/JSONL/Parquet, split and
 * folder layouts, the source kit (slices, bad-row policy, located errors), label vocabularies,
 * chat tokenization with assistant masks, samplers, preference pairs and dataset inspection.
 */
export * from './example.js';
export { knownLabels } from './known-labels.js';
export { RowIssueCollector, DataRowError } from './row-issues.js';
export type { BadRowPolicy, RowIssue } from './row-issues.js';
export { commonSourceOptions } from './source-options.js';
export type { CommonSourceOptions } from './source-options.js';
export { exposeMetadata } from './expose.js';
export { exampleContentKey, DuplicateTracker, overlapWith } from './duplicates.js';
export { expandDialogue } from './dialogue.js';
export type { DialogueTurn, ExpandedTurn, ExpansionMode, ExpansionOptions } from './dialogue.js';
export * from './formats/index.js';
export * from './source-kit/index.js';
export * from './labels/index.js';
export * from './sampling/index.js';
export * from './tokenize/index.js';
export * from './preferences/index.js';
export { inspectSource, chatTokenCounter } from './inspect/inspect-source.js';
export { inspectSplit } from './inspect/inspect-split.js';
export type { ChatTokenCounter, SplitReport } from './inspect/inspect-split.js';
export { formatSplitReport } from './inspect/format-report.js';
export { checkLeakage } from './inspect/leakage.js';
export type { LeakageReport } from './inspect/leakage.js';
export * from './reward-rows/index.js';
