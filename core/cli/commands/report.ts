/** `attune report <run dir>`: report.md and a self-contained report.html for a run (curves, evaluation, samples). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';

export function reportCommand(yargs: Argv): Argv {
  return yargs.command(
    'report <run>',
    "write a run's report: report.md and a self-contained report.html",
    (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'the run directory' }),
    async (argv) => {
      const runDir = resolve(argv.run);
      if (!existsSync(join(runDir, 'run_manifest.json')) && !existsSync(join(runDir, 'evaluation', 'metrics.json'))) {
        throw new AttuneError(`${runDir} is not a run directory (no run_manifest.json, no evaluation/metrics.json)`, 'pass the folder attune run created, or an attune evaluate --out folder named evaluation/ inside one');
      }
      const { writeRunReport } = await import('../../report/run-report.js');
      const { markdown, html } = await writeRunReport(runDir);
      process.stdout.write(`${markdown}\n${html}\n`);
    },
  );
}
