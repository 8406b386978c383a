/**
 * The summary printed when a run ends: status, duration, the last value of every step
 * metric, the latest evaluation per split, checkpoints, and where the run directory is.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EventBus } from '../event-bus.js';
import { formatMetrics } from './log-writer.js';

/** What a finished run left to use: its final adapters (`final/adapter`, `<stage>/final/adapter`), plots and report. */
export function runOutputs(runDir: string): { adapters: string[]; plots: string[]; report?: string } {
  if (!existsSync(runDir)) return { adapters: [], plots: [] };
  const adapters: string[] = [];
  const candidates = ['final', ...readdirSync(runDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(e.name, 'final'))];
  for (const c of candidates) if (existsSync(join(runDir, c, 'adapter', 'adapter_config.json'))) adapters.push(join(runDir, c, 'adapter'));
  const plotsDir = join(runDir, 'plots');
  const plots = existsSync(plotsDir) ? readdirSync(plotsDir).filter((f) => f.endsWith('.png')).sort().map((f) => join(plotsDir, f)) : [];
  const report = existsSync(join(runDir, 'report.html')) ? join(runDir, 'report.html') : undefined;
  return { adapters, plots, ...(report ? { report } : {}) };
}

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
      // A failed run's error is printed once, by the command that ran it (with what to do).
      lines.push(`  run directory: ${runDir}`);
      if (e.status === 'completed') {
        const outputs = runOutputs(runDir);
        for (const a of outputs.adapters) lines.push(`  adapter: ${a}  (attune chat --run ${runDir})`);
        if (outputs.plots.length) lines.push(`  plots: ${outputs.plots.map((p) => relative(runDir, p)).join(', ')}`);
        if (outputs.report) lines.push(`  report: ${outputs.report}`);
      }
      if (e.status === 'interrupted') lines.push(`  resume with: attune run ${recipe} --resume ${runDir}`);
      write(`${lines.join('\n')}\n`);
    }),
  ];
  return () => offs.forEach((off) => off());
}
