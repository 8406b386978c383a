/** Appends a human-readable line per event to the run's log file. */
import { appendFileSync } from 'node:fs';
import type { EventBus } from '../event-bus.js';

export function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(5)}`)
    .join(' ');
}

export function attachLogWriter(bus: EventBus, file: string): () => void {
  const line = (text: string): void => appendFileSync(file, `${new Date().toISOString()} ${text}\n`);
  const offs = [
    bus.on('run:start', (e) => line(`run start: ${e.recipe} seed=${e.seed}${e.resumed ? ' (resumed)' : ''} in ${e.runDir}`)),
    bus.on('run:end', (e) => line(`run end: ${e.status} after ${(e.durationMs / 1000).toFixed(1)} s${e.error ? `: ${e.error}` : ''}`)),
    bus.on('stage:start', (e) => line(`stage ${e.index + 1}/${e.count} start: ${e.stage}${e.totalSteps ? ` (${e.totalSteps} steps)` : ''}`)),
    bus.on('stage:end', (e) => line(`stage end: ${e.stage} ${formatMetrics(e.metrics ?? {})}`)),
    bus.on('step', (e) => line(`[${e.stage}] step ${e.step}${e.totalSteps ? `/${e.totalSteps}` : ''} ${formatMetrics(e.metrics)}`)),
    bus.on('eval', (e) => line(`[${e.stage}] eval ${e.split} @${e.step} ${formatMetrics(e.metrics)}`)),
    bus.on('checkpoint', (e) => line(`[${e.stage}] checkpoint @${e.step}: ${e.path}`)),
    bus.on('rollout', (e) => line(`[${e.stage}] rollout @${e.step}: ${e.completions.length} completions`)),
    bus.on('warning', (e) => line(`WARNING ${e.origin ? `(${e.origin}) ` : ''}${e.message}`)),
    bus.on('log', (e) => line(e.message)),
  ];
  return () => offs.forEach((off) => off());
}
