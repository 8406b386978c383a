/**
 * Writes step, eval, checkpoint and stage-end events to `metrics.jsonl`, one JSON object a
 * line with a wall-clock timestamp. Each line is a single append, so a crash can cost at
 * most the line being written, never the lines before it.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../base/atomic-write.js';
import type { EventBus } from '../event-bus.js';

export function attachMetricsWriter(bus: EventBus, file: string): () => void {
  const write = (record: Record<string, unknown>): void => {
    appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  };
  const offs = [
    bus.on('step', (e) => write({ type: 'step', stage: e.stage, step: e.step, ...e.metrics, ...(e.tokens !== undefined && { tokens: e.tokens }), ...(e.samples !== undefined && { samples: e.samples }) })),
    bus.on('eval', (e) => write({ type: 'eval', stage: e.stage, step: e.step, split: e.split, ...e.metrics })),
    bus.on('checkpoint', (e) => write({ type: 'checkpoint', stage: e.stage, step: e.step, path: e.path })),
    bus.on('stage:end', (e) => write({ type: 'stage_end', stage: e.stage, ...e.metrics })),
  ];
  return () => offs.forEach((off) => off());
}

export interface MetricRecord {
  type: string;
  stage?: string;
  step?: number;
  [key: string]: unknown;
}

export function readMetrics(file: string): MetricRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as MetricRecord];
      } catch {
        return []; // a torn last line from a crash
      }
    });
}

/** Remove records of `stage` with a step after `step`, keeping everything else in order. */
export async function rewindMetricsFile(file: string, stage: string, step: number): Promise<void> {
  const kept = readMetrics(file).filter((r) => r.stage !== stage || r.step === undefined || r.step <= step || r.type === 'stage_end');
  await writeFileAtomic(file, kept.map((r) => JSON.stringify(r)).join('\n') + (kept.length ? '\n' : ''));
}
