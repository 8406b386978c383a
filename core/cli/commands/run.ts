/** `attune run <recipe>`: one run, a resumed run, or a sweep over several configs. */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';

export function runCommand(yargs: Argv): Argv {
  return yargs.command(
    'run <recipe>',
    'run a recipe',
    (y) =>
      y
        .positional('recipe', { type: 'string', demandOption: true, describe: 'recipe name (see attune list)' })
        .option('config', { type: 'string', array: true, describe: 'config file (YAML/JSON); several run one after another and are compared' })
        .option('set', { type: 'string', array: true, describe: 'override a key: --set trainer.options.lr=2e-4' })
        .option('plugin', { type: 'string', array: true, describe: 'load a plugin (path or npm package)' })
        .option('out', { type: 'string', describe: 'run directory (default runs/<recipe>-<timestamp>)' })
        .option('resume', { type: 'string', describe: 'continue an interrupted run from its directory' })
        .option('from-stage', { type: 'string', describe: "start a new run at this stage of a multi-stage recipe, reusing --from-run's earlier stages" })
        .option('from-run', { type: 'string', describe: 'the earlier run of the same recipe whose completed stages --from-stage reuses' })
        .implies('from-stage', 'from-run')
        .implies('from-run', 'from-stage')
        .conflicts('resume', ['config', 'set', 'out', 'from-stage']),
    async (argv) => {
      const [{ parseOverride }, { runRecipe }, { runSweep }, { bootKernel }] = await Promise.all([
        import('../../kernel/config/overrides.js'),
        import('../../kernel/runs/run-recipe.js'),
        import('../../kernel/runs/sweep.js'),
        import('../boot.js'),
      ]);
      const configFiles = argv.config ?? [];
      const overrides = (argv.set ?? []).map(parseOverride);
      const kernel = await bootKernel({ plugins: argv.plugin, configFiles });
      if (configFiles.length > 1) {
        const out = argv.out ?? join('runs', `${argv.recipe}-sweep-${Date.now().toString(36)}`);
        const { table, file, failed, interrupted, results } = await runSweep(kernel, { recipe: argv.recipe, configFiles, overrides, out, interactive: true });
        const { writeSweepComparison } = await import('../../report/loss-curves.js');
        const plots = await writeSweepComparison(join(out, 'comparison'), results);
        process.stdout.write(`\n${table}\nwritten to ${file}${plots.length ? ` and ${plots.join(', ')}` : ''}\n`);
        // The table is written either way; the exit status says whether every config ran.
        if (failed.length > 0) throw new AttuneError(`sweep: ${failed.length} of ${configFiles.length} configs failed (${failed.join(', ')})`, `their errors are above; the others are compared in ${file}`);
        if (interrupted) process.exitCode = 130;
        return;
      }
      const outcome = await runRecipe(kernel, {
        recipe: argv.recipe,
        ...(configFiles[0] !== undefined && { configFile: configFiles[0] }),
        overrides,
        ...(argv.out !== undefined && { out: argv.out }),
        ...(argv.resume !== undefined && { resume: argv.resume }),
        ...(argv.fromStage !== undefined && argv.fromRun !== undefined && { fromStage: { stage: argv.fromStage, run: argv.fromRun } }),
        ...(typeof argv.device === 'string' && { device: argv.device as 'cpu' | 'cuda' | 'webgpu' }),
        interactive: true,
      });
      if (outcome.status === 'interrupted') process.exitCode = 130;
    },
  );
}
