/**
 * Several configs of one recipe, run one after another (ablations), each in its own run
 * directory under the sweep directory, then compared side by side in `comparison.md`.
 */
import { basename, extname, join, resolve } from 'node:path';
import type { Kernel } from '../kernel.js';
import type { Override } from '../config/overrides.js';
import { writeFileAtomic } from '../../base/atomic-write.js';
import { runRecipe } from './run-recipe.js';
import type { RunOutcome } from './run-recipe.js';

export interface SweepOptions {
  recipe: string;
  configFiles: string[];
  overrides?: Override[];
  out: string;
  interactive?: boolean;
}

export function comparisonTable(rows: { name: string; outcome: RunOutcome }[]): string {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.outcome.result?.metrics ?? {})))].sort();
  const header = ['config', 'status', ...metricNames];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { name, outcome } of rows) {
    const values = metricNames.map((m) => {
      const v = outcome.result?.metrics[m];
      return v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toPrecision(4);
    });
    lines.push(`| ${[name, outcome.status, ...values].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runSweep(
  kernel: Kernel,
  options: SweepOptions,
): Promise<{ table: string; file: string; failed: string[]; interrupted: boolean; results: { name: string; status: string; metrics: Record<string, number> }[] }> {
  const out = resolve(options.out);
  const rows: { name: string; outcome: RunOutcome }[] = [];
  const seen = new Set<string>();
  for (const configFile of options.configFiles) {
    let name = basename(configFile, extname(configFile));
    for (let i = 2; seen.has(name); i++) name = `${basename(configFile, extname(configFile))}-${i}`;
    seen.add(name);
    try {
      const outcome = await runRecipe(kernel, { recipe: options.recipe, configFile, overrides: options.overrides ?? [], out: join(out, name), interactive: options.interactive ?? false });
      rows.push({ name, outcome });
      if (outcome.status === 'interrupted') break;
    } catch (error) {
      // One failed ablation must not lose the others: record it and go on.
      rows.push({ name, outcome: { runDir: join(out, name), status: 'failed' } });
      process.stderr.write(`sweep: ${name} failed: ${(error as Error).message}\n`);
    }
  }
  const table = `# ${options.recipe}: ${rows.length} configs\n\n${comparisonTable(rows)}`;
  const file = join(out, 'comparison.md');
  await writeFileAtomic(file, table);
  return {
    table,
    file,
    failed: rows.filter((r) => r.outcome.status === 'failed').map((r) => r.name),
    interrupted: rows.some((r) => r.outcome.status === 'interrupted'),
    results: rows.map((r) => ({ name: r.name, status: r.outcome.status, metrics: r.outcome.result?.metrics ?? {} })),
  };
}
