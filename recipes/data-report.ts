/**
 * Recipe `data-report`: load every configured source, check it, and write what a person
 * needs before training on it — counts per split, label distributions, token lengths under
 * the model's chat template, bad rows with their locations, and the leakage check.
 */
import { z } from 'zod';
import { defineRecipe } from 'attune';
import { chatTokenCounter, formatSplitReport, inspectSource } from 'attune/data';
import type { SplitReport } from 'attune/data';

export const dataReport = defineRecipe({
  description: 'inspect dataset sources: counts, labels, token lengths, bad rows, leakage',
  stages: [{ name: 'inspect', description: 'load each split of each source and summarize it' }],
  defaultConfig: 'configs/data-report/default.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-tiny-qwen2').describe('model folder or embedded model whose chat template measures token lengths'),
      sources: z.array(items.ref('sources')).min(1).describe('the sources to inspect'),
      splits: z.array(z.string()).optional().describe('splits to inspect (default: every split of each source)'),
      samples: z.number().int().min(0).default(3).describe('sample conversations listed per split (roles and lengths only)'),
    }),
  run: async (config, run) => {
    const tokenizer = await chatTokenCounter(config.model);
    const sources = await Promise.all(config.sources.map(async (ref) => ({ ref, source: await run.create(ref) })));
    const totalSteps = sources.reduce((n, { source }) => n + (config.splits?.length ?? source.splits.length), 0);
    const stage = run.stage('inspect');
    stage.start({ totalSteps });

    const reports: SplitReport[] = [];
    let step = 0;
    for (const { ref, source } of sources) {
      if (run.signal.aborted) break;
      const exposedKeys = Array.isArray(ref.options.exposeMetadata) ? (ref.options.exposeMetadata as string[]) : [];
      await inspectSource(ref.use, source, {
        ...(config.splits && { splits: config.splits }),
        tokenizer,
        exposedKeys,
        samples: config.samples,
        onSplit: (report) => {
          reports.push(report);
          step += 1;
          const leaks = Object.values(report.leakage.leaks).reduce((s, v) => s + v, 0);
          run.events.emit('step', { stage: 'inspect', step, metrics: { examples: report.examples, bad_rows: report.badRows.count, leaks }, samples: report.examples });
          if (leaks > 0) run.warn(`${ref.use} ${report.split}: ${leaks} possible label/metadata leaks into model inputs (see data_report.md)`);
        },
      });
    }

    const markdown = `# Data report\n\nModel for token counts: ${config.model}\n\n${reports.map(formatSplitReport).join('\n')}`;
    await run.writeArtifact('data_report.md', markdown);
    await run.writeArtifact('data_report.json', `${JSON.stringify(reports, null, 2)}\n`);
    const total = (pick: (r: SplitReport) => number): number => reports.reduce((s, r) => s + pick(r), 0);
    const metrics = {
      examples: total((r) => r.examples),
      bad_rows: total((r) => r.badRows.count),
      leaks: total((r) => Object.values(r.leakage.leaks).reduce((s, v) => s + v, 0)),
      splits: reports.length,
    };
    stage.end(metrics);
    run.log(`report written to ${run.runDir}/data_report.md`);
    return { metrics };
  },
});
