/**
 * The completions table of a GRPO run: every N steps the generation batch is appended to
 * `completions.jsonl` (one line per completion: step, group, prompt, completion, parsed answer and
 * status, each reward, advantage) and `completions.md` is rewritten with a readable sample. On
 * resume, lines of steps after the checkpoint are dropped, as the metrics are.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from 'attune';

export interface CompletionRecord {
  readonly step: number;
  readonly group: number;
  readonly prompt: string;
  readonly completion: string;
  readonly answer: string | null;
  readonly status: string;
  readonly rewards: Record<string, number | null>;
  readonly reward: number;
  readonly advantage: number;
}

export const COMPLETIONS_FILE = 'completions.jsonl';
export const COMPLETIONS_TABLE = 'completions.md';

const cell = (text: string | null, max = 160): string => (text === null ? '∅' : text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, max));

export async function logCompletions(runDir: string, records: readonly CompletionRecord[], sampleGroups = 2): Promise<void> {
  if (records.length === 0) return;
  appendFileSync(join(runDir, COMPLETIONS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const shown = records.filter((r) => r.group < sampleGroups);
  const names = Object.keys(records[0]!.rewards);
  const lines = [
    `# Completions at step ${records[0]!.step}`,
    '',
    `${records.length} completions; ${sampleGroups} groups shown (all of them in ${COMPLETIONS_FILE}).`,
    '',
    `| group | prompt | completion | answer (status) | ${names.join(' | ')} | reward | advantage |`,
    `|---|---|---|---|${names.map(() => '---').join('|')}|---|---|`,
    ...shown.map((r) => `| ${r.group} | ${cell(r.prompt, 80)} | ${cell(r.completion)} | ${cell(r.answer, 80)} (${r.status}) | ${names.map((n) => (r.rewards[n] === null ? '∅' : (r.rewards[n] as number).toFixed(3))).join(' | ')} | ${r.reward.toFixed(3)} | ${r.advantage.toFixed(3)} |`),
    '',
  ];
  await writeFileAtomic(join(runDir, COMPLETIONS_TABLE), lines.join('\n'));
}

/** Drops lines of steps after `step` (a resume from that checkpoint writes them again). */
export function rewindCompletions(runDir: string, step: number): void {
  const file = join(runDir, COMPLETIONS_FILE);
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && (JSON.parse(line) as { step: number }).step <= step);
  writeFileAtomicSync(file, kept.length > 0 ? `${kept.join('\n')}\n` : '');
}
