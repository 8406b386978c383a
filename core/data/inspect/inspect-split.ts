/**
 * What `attune data inspect` and the `data-report` recipe show for one split of one source:
 * counts, kinds, label distributions, token lengths under the model's chat template, the
 * leakage check, bad-row summary and a few sample conversations (roles and lengths only,
 * never label values, so a report can be shared without exposing annotations).
 */
import { knownLabels } from '../known-labels.js';
import type { CanonicalExample } from '../example.js';
import type { RowIssue } from '../row-issues.js';
import { checkLeakage } from './leakage.js';
import type { LeakageReport } from './leakage.js';
import { lengthStats } from './length-stats.js';
import type { LengthStats } from './length-stats.js';

export interface ChatTokenCounter {
  /** Number of tokens of the conversation rendered with the model's chat template. */
  countChatTokens(messages: CanonicalExample['messages']): number;
}

export interface SplitReport {
  source: string;
  split: string;
  examples: number;
  kinds: Record<string, number>;
  badRows: { count: number; byReason: { reason: string; count: number; examples: string[] }[] };
  labels: Record<string, Record<string, number>>;
  scores: Record<string, { mean: number; min: number; max: number }>;
  tokens?: LengthStats;
  messagesPerExample: LengthStats;
  leakage: LeakageReport;
  samples: { id: string; turns: { role: string; chars: number }[] }[];
  /** The load's warnings (no examples, duplicates) and examples shared with the train split. */
  warnings: string[];
}

function increment(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}

function summarizeIssues(issues: readonly RowIssue[]): SplitReport['badRows'] {
  const groups = new Map<string, RowIssue[]>();
  for (const issue of issues) groups.set(issue.reason, [...(groups.get(issue.reason) ?? []), issue]);
  const byReason = [...groups.entries()]
    .map(([reason, list]) => ({ reason, count: list.length, examples: list.slice(0, 3).map((i) => `${i.file}:${i.row}`) }))
    .sort((a, b) => b.count - a.count);
  return { count: issues.length, byReason };
}

export function inspectSplit(
  source: string,
  split: string,
  examples: readonly CanonicalExample[],
  issues: readonly RowIssue[],
  options: { tokenizer?: ChatTokenCounter; exposedKeys?: readonly string[]; samples?: number; warnings?: readonly string[] } = {},
): SplitReport {
  const kinds: Record<string, number> = {};
  const labels: Record<string, Record<string, number>> = {};
  const scoreValues: Record<string, number[]> = {};
  for (const example of examples) {
    increment(kinds, example.kind);
    const { emotion, strategy, miQuality, miBehaviour, scores } = knownLabels(example);
    if (emotion) increment((labels[`emotion (${emotion.taxonomy})`] ??= {}), emotion.label);
    if (strategy) increment((labels.strategy ??= {}), strategy);
    if (miQuality) increment((labels.miQuality ??= {}), miQuality);
    if (miBehaviour) increment((labels.miBehaviour ??= {}), miBehaviour);
    for (const [name, value] of Object.entries(scores ?? {})) (scoreValues[name] ??= []).push(value);
  }
  const scores = Object.fromEntries(
    Object.entries(scoreValues).map(([name, values]) => [
      name,
      { mean: values.reduce((s, v) => s + v, 0) / values.length, min: Math.min(...values), max: Math.max(...values) },
    ]),
  );
  const tokens = options.tokenizer ? lengthStats(examples.map((e) => options.tokenizer!.countChatTokens(e.messages))) : undefined;
  const step = Math.max(1, Math.floor(examples.length / Math.max(1, options.samples ?? 3)));
  const samples = examples
    .filter((_, i) => i % step === 0)
    .slice(0, options.samples ?? 3)
    .map((e) => ({ id: e.id, turns: e.messages.map((m) => ({ role: m.role, chars: m.content.length })) }));
  return {
    source,
    split,
    examples: examples.length,
    kinds,
    badRows: summarizeIssues(issues),
    labels,
    scores,
    ...(tokens && { tokens }),
    messagesPerExample: lengthStats(examples.map((e) => e.messages.length)),
    leakage: checkLeakage(examples, options.exposedKeys ?? []),
    samples,
    warnings: [...(options.warnings ?? [])],
  };
}
