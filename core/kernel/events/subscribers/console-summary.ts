/**
 * The summary printed when a run ends: status, duration, the last value of every step
 * metric, the latest evaluation per split, checkpoints, and where the run directory is.
 */
import type { EventBus } from '../event-bus.js';
import { formatMetrics } from './log-writer.js';

export function attachConsoleSummary(bus: EventBus, write: (text: string) => void = (t) => process.stdout.write(t)): () => void {
  let runDir = '';
  let recipe = '';
  const lastStep = new Map<string, { step: number; metrics: Record<string, number> }>();
  const lastEval = new Map<string, { step: number; metrics: Record<string, number> }>();
  let lastCheckpoint: string | undefined;
  let warnings = 0;

  const offs = [
    bus.on('run:start', (e) => {
      runDir = e.runDir;
      recipe = e.recipe;
    }),
    bus.on('step', (e) => lastStep.set(e.stage, { step: e.step, metrics: e.metrics })),
    bus.on('eval', (e) => lastEval.set(`${e.stage} ${e.split}`, { step: e.step, metrics: e.metrics })),
    bus.on('checkpoint', (e) => {
      lastCheckpoint = e.path;
    }),
    bus.on('warning', () => {
      warnings += 1;
    }),
    bus.on('run:end', (e) => {
      const lines = [`\n${recipe}: ${e.status} in ${(e.durationMs / 1000).toFixed(1)} s`];
      for (const [stage, s] of lastStep) lines.push(`  ${stage} @ step ${s.step}: ${formatMetrics(s.metrics)}`);
      for (const [key, s] of lastEval) lines.push(`  eval ${key} @ step ${s.step}: ${formatMetrics(s.metrics)}`);
      if (lastCheckpoint) lines.push(`  last checkpoint: ${lastCheckpoint}`);
      if (warnings) lines.push(`  ${warnings} warning${warnings === 1 ? '' : 's'} (see run.log)`);
      if (e.error) lines.push(`  error: ${e.error}`);
      lines.push(`  run directory: ${runDir}`);
      if (e.status === 'interrupted') lines.push(`  resume with: attune run ${recipe} --resume ${runDir}`);
      write(`${lines.join('\n')}\n`);
    }),
  ];
  return () => offs.forEach((off) => off());
}
