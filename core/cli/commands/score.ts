/**
 * `attune score`: runs rewards over a file of completions exactly as a trainer would combine them
 * (weights, aggregation, group advantages) and prints each reward's statistics and the scores per
 * row — how to check a reward before spending hours of GRPO on it.
 */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';

const SHOWN_ROWS = 20;

export function scoreCommand(yargs: Argv): Argv {
  return yargs.command(
    'score',
    'score completions with rewards (per-row scores and a summary per reward)',
    (y) =>
      y
        .option('reward', { type: 'string', array: true, describe: 'a reward item (e.g. rewards/length), repeatable; or use --config' })
        .option('config', { type: 'string', describe: 'YAML/JSON with rewards: [...], rewardWeights, aggregation, scaleRewards (and plugins:)' })
        .option('data', { type: 'string', demandOption: true, describe: '.jsonl: prompt, completion, optional answer, reference, group, tokenIds' })
        .option('model', { type: 'string', describe: "the policy's model folder: its tokenizer counts completion tokens" })
        .option('plugin', { type: 'string', array: true, describe: 'extra plugin (path or package), repeatable' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object per row, then the summary' })
        .conflicts('reward', 'config')
        .check((argv) => {
          if (!argv.reward?.length && argv.config === undefined) throw new AttuneError('name the rewards: --reward <plugin/item> (repeatable) or --config <file>');
          return true;
        }),
    async (argv) => {
      const [{ bootKernel }, train, configModule, validate, itemRefs] = await Promise.all([
        import('../boot.js'),
        import('../../train/index.js'),
        import('../../kernel/config/load-config.js'),
        import('../../kernel/config/validate-config.js'),
        import('../../kernel/config/item-ref.js'),
      ]);
      const loaded = argv.config !== undefined ? configModule.loadConfig(argv.config) : undefined;
      const kernel = await bootKernel({ plugins: argv.plugin ?? [], configFiles: argv.config !== undefined ? [argv.config] : [] });
      const data = loaded ? loaded.data : { rewards: argv.reward };
      const origin = loaded ? { label: argv.config!, locate: loaded.locate } : { label: '--reward' };
      const options = itemRefs.withItemRegistries(kernel.registries.items, () => validate.validateConfig(train.rewardSetOptions, data, origin));
      let tokenize: ((text: string) => number[]) | undefined;
      if (argv.model !== undefined) {
        const { loadTokenizer } = await import('../../model/tokenizer/load-tokenizer.js');
        const { resolveModelFolder } = await import('../../model/folder/resolve.js');
        const tokenizer = await loadTokenizer(resolveModelFolder(argv.model));
        tokenize = (text) => tokenizer.encode(text, { addSpecialTokens: false });
      }
      const batch = await train.readCompletionsFile(argv.data, tokenize);
      const baseDir = loaded ? (await import('node:path')).dirname(loaded.files[0]!) : process.cwd();
      const env = { baseDir, warn: (message: string) => process.stderr.write(`warning: ${message}\n`) };
      const runner = await train.createRewardRunner(options, (ref) => kernel.create(ref, env));
      try {
        const result = await runner.score(batch);
        const names = runner.names;
        const rows = batch.completions.map((c, i) => ({
          row: batch.examples[i]!.provenance.row,
          group: batch.groups[i]!,
          scores: Object.fromEntries(names.map((n) => [n, result.scores[n]![i] ?? null])),
          combined: result.counted[i] ? result.combined[i]! : null,
          advantage: result.advantages[i]!,
          completion: c.text,
        }));
        const summary = names.map((name, k) => train.rewardSummary(name, options.rewardWeights?.[k] ?? 1, result.scores[name]!));
        if (argv.json) {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          process.stdout.write(`${JSON.stringify({ summary, metrics: result.metrics })}\n`);
          return;
        }
        const pad = (s: string, n: number) => s.padEnd(n);
        const num = (v: number | null) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(4)).padStart(9);
        process.stdout.write(`${pad('reward', 24)}${'weight'.padStart(8)}${'scored'.padStart(8)}${'null'.padStart(6)}${'mean'.padStart(9)}${'std'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}\n`);
        for (const s of summary) process.stdout.write(`${pad(s.name, 24)}${String(s.weight).padStart(8)}${String(s.scored).padStart(8)}${String(s.nulls).padStart(6)}${num(s.mean)}${num(s.std)}${num(s.min)}${num(s.max)}\n`);
        process.stdout.write(`combined (${runner.aggregation}, scale ${runner.scaleRewards}): mean ${num(result.metrics.reward ?? null).trim()}, reward_std ${num(result.metrics.reward_std ?? null).trim()}, frac_reward_zero_std ${num(result.metrics.frac_reward_zero_std ?? null).trim()}\n\n`);
        for (const r of rows.slice(0, SHOWN_ROWS)) {
          const preview = r.completion.replace(/\s+/g, ' ').slice(0, 50);
          process.stdout.write(`row ${r.row} (group ${r.group}): ${names.map((n) => `${n} ${num(r.scores[n] ?? null).trim()}`).join(', ')} → ${num(r.combined).trim()}, advantage ${r.advantage.toFixed(3)}  "${preview}"\n`);
        }
        if (rows.length > SHOWN_ROWS) process.stdout.write(`… ${rows.length - SHOWN_ROWS} more rows (--json prints all)\n`);
      } finally {
        await runner.dispose();
      }
    },
  );
}
