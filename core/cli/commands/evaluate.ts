/**
 * `attune evaluate`: runs evaluators on a model (with `--with-base`, on its base beside it) through
 * a decoding policy, or rescores a saved export without a model (`--from`); prints the metrics
 * side by side with each evaluator's notes, and with `--out` writes `<evaluator>.<subject>.jsonl`
 * (the response rows with their scores) and `metrics.json`. `attune eval validate` checks exports.
 */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import type { EvaluationReport, Evaluator } from '../../kernel/extension-points/evaluator.js';
import type { ItemRef } from '../../kernel/config/item-ref.js';
import { loadDecodingPolicy } from './decoding-policy-option.js';
import { openModelTarget, withModelTargetOptions } from './model-target.js';

async function loadEvaluators(specs: readonly string[], plugins: readonly string[]): Promise<{ refs: ItemRef<'evaluators'>[]; evaluators: Evaluator[] }> {
  const [{ z }, { bootKernel }, configModule, validate, itemRefs, { dirname, resolve }] = await Promise.all([
    import('zod'),
    import('../boot.js'),
    import('../../kernel/config/load-config.js'),
    import('../../kernel/config/validate-config.js'),
    import('../../kernel/config/item-ref.js'),
    import('node:path'),
  ]);
  const files = specs.filter((s) => /\.(ya?ml|json)$/i.test(s));
  const kernel = await bootKernel({ plugins: [...plugins], configFiles: files });
  const refs: ItemRef<'evaluators'>[] = [];
  const evaluators: Evaluator[] = [];
  const schema = z.object({ evaluators: z.array(itemRefs.itemRef('evaluators')).min(1) });
  for (const spec of specs) {
    const loaded = files.includes(spec) ? configModule.loadConfig(spec) : undefined;
    const data = loaded ? { evaluators: loaded.data.evaluators } : { evaluators: [spec] };
    const origin = loaded ? { label: spec, locate: loaded.locate } : { label: '--evaluator' };
    const parsed = itemRefs.withItemRegistries(kernel.registries.items, () => validate.validateConfig(schema, data, origin));
    const baseDir = loaded ? dirname(resolve(spec)) : process.cwd();
    for (const ref of parsed.evaluators) {
      refs.push(ref);
      evaluators.push(await kernel.create(ref, { baseDir, warn: (m) => process.stderr.write(`warning: ${m}\n`) }));
    }
  }
  return { refs, evaluators };
}

export function evaluateCommand(yargs: Argv): Argv {
  return yargs.command(
    'evaluate',
    'run evaluators on a model (and its base), or rescore a saved export',
    (y) =>
      withModelTargetOptions(y)
        .option('evaluator', { type: 'string', array: true, demandOption: true, describe: 'an evaluator item (evaluators/eq-bench) or a YAML/JSON file with evaluators: [...]; repeatable' })
        .option('policy', { type: 'string', describe: 'decoding policy for the conversational evaluators (default decoding/sampling)' })
        .option('with-base', { type: 'boolean', default: false, describe: 'also evaluate the base model (adapter off), side by side' })
        .option('from', { type: 'string', describe: 'rescore this export (.jsonl response rows) instead of generating; no model is loaded' })
        .option('out', { type: 'string', describe: 'write <evaluator>.<subject>.jsonl and metrics.json into this folder' })
        .option('plugin', { type: 'string', array: true, describe: 'extra plugin (path or package), repeatable' })
        .conflicts('from', ['model', 'adapter', 'run', 'policy'])
        .check((argv) => {
          if (argv.from !== undefined && argv['with-base']) throw new AttuneError('--from rescores one saved export; --with-base needs a model', 'rescore the base export with its own --from');
          return true;
        }),
    async (argv) => {
      const { readResponseRows } = await import('../../evaluate/response-rows.js');
      const { refs, evaluators } = await loadEvaluators(argv.evaluator, argv.plugin ?? []);
      const results: { evaluator: string; subject: string; report: EvaluationReport }[] = [];
      try {
        if (argv.from !== undefined) {
          const rows = await readResponseRows(argv.from);
          for (const [k, evaluator] of evaluators.entries()) {
            if (!evaluator.rescore) throw new AttuneError(`${refs[k]!.use} cannot rescore saved responses: it needs the model itself`, 'run it on a model (--model/--adapter/--run) instead of --from');
            results.push({ evaluator: refs[k]!.use, subject: rows[0]?.model ?? 'export', report: await evaluator.rescore(rows) });
          }
        } else {
          const [{ ModelTextGenerator }, loaded] = await Promise.all([import('../../model/generation/text-generator.js'), loadDecodingPolicy(argv.policy, argv.plugin ?? [])]);
          const target = await openModelTarget(argv);
          try {
            const subjects = [
              ...(argv['with-base'] && target.adapterDir !== undefined ? [{ label: `${target.base} (base)`, generator: new ModelTextGenerator(target.model, { useAdapter: false }) }] : []),
              { label: target.id, generator: new ModelTextGenerator(target.model) },
            ];
            if (argv['with-base'] && target.adapterDir === undefined) process.stderr.write('warning: --with-base needs --adapter or --run; evaluating the base model once\n');
            for (const [k, evaluator] of evaluators.entries()) {
              for (const subject of subjects) {
                process.stderr.write(`${refs[k]!.use} on ${subject.label} …\n`);
                results.push({ evaluator: refs[k]!.use, subject: subject.label, report: await evaluator.evaluate({ ...subject, policy: loaded.policy }) });
              }
            }
          } finally {
            await loaded.policy.dispose?.();
            await target.model.release();
          }
        }
      } finally {
        for (const e of evaluators) await e.dispose?.();
      }
      const { formatMetric } = await import('../../report/run-report.js');
      const subjects = [...new Set(results.map((r) => r.subject))];
      const keys = [...new Set(results.flatMap((r) => Object.keys(r.report.metrics)))];
      const value = (subject: string, key: string) => results.find((r) => r.subject === subject && key in r.report.metrics)?.report.metrics[key];
      const width = Math.max(6, ...keys.map((k) => k.length)) + 2;
      const columns = subjects.map((s) => Math.max(12, s.length + 2));
      process.stdout.write(`${'metric'.padEnd(width)}${subjects.map((s, i) => s.padStart(columns[i]!)).join('')}\n`);
      for (const key of keys) process.stdout.write(`${key.padEnd(width)}${subjects.map((s, i) => formatMetric(value(s, key)).padStart(columns[i]!)).join('')}\n`);
      for (const r of results) for (const note of r.report.notes ?? []) process.stdout.write(`\n${r.subject}, ${r.evaluator}: ${note}`);
      process.stdout.write('\n');
      if (argv.out !== undefined) {
        const { writeEvaluation } = await import('../../train/evaluation.js');
        await writeEvaluation(argv.out, results);
        process.stderr.write(`wrote ${results.length} report(s) to ${argv.out}\n`);
      }
    },
  );
}

export function evalCommand(yargs: Argv): Argv {
  return yargs.command('eval <action> <files..>', 'check evaluation exports: attune eval validate a.jsonl [b.jsonl --check-pairs]', (y) =>
    y
      .positional('action', { choices: ['validate'] as const, describe: 'validate: schema (and, with --check-pairs, base/tuned prompt parity)' })
      .positional('files', { type: 'string', array: true, demandOption: true })
      .option('check-pairs', { type: 'boolean', default: false, describe: 'two files: the same prompt ids with the same prompts, different models' }), async (argv) => {
      const { readResponseRows, checkPairs } = await import('../../evaluate/response-rows.js');
      const files = argv.files as string[];
      const all = [];
      for (const f of files) {
        const rows = await readResponseRows(f);
        all.push(rows);
        process.stdout.write(`${f}: ${rows.length} rows, models ${[...new Set(rows.map((r) => r.model))].join(', ')}\n`);
      }
      if (argv['check-pairs']) {
        if (files.length !== 2) throw new AttuneError(`--check-pairs compares two files, got ${files.length}`, 'give the base export and the tuned one');
        const check = checkPairs(all[0]!, all[1]!, [files[0]!, files[1]!]);
        if (!check.ok) throw new AttuneError(`the exports are not a base/tuned pair:\n  ${check.problems.join('\n  ')}`, 'answer the same prompt file with both models (attune respond --data …)');
        process.stdout.write(`pairs: ${check.shared} prompts in both, the same prompt text, different models\n`);
      }
    });
}
