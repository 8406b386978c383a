/**
 * Makes an embedded reward model (models/attune-empathy-tiny, models/attune-relevance-tiny) with
 * the `reward-model` recipe on the full data in ../shared/data: trains, then copies the exported
 * `…ForSequenceClassification` folder into models/ with a SOURCE.md (data, licences, training,
 * held-out figures of the folder itself, checksums).
 *
 *   npx tsx --conditions=attune-source scripts/make-reward-models.ts --model empathy|relevance [--data ../shared/data]
 *     [--run runs/<dir> | --resume runs/<dir> | --package runs/<dir>]   (--package: only write models/ from a finished run)
 *
 * Only this script reads the shared data; the committed output is self-contained.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeDirAtomic } from '../core/base/atomic-write.js';
import { Kernel } from '../core/kernel/kernel.js';
import { readMetrics } from '../core/kernel/events/subscribers/metrics-writer.js';
import { runRecipe } from '../core/kernel/runs/run-recipe.js';
import type { Override } from '../core/kernel/config/overrides.js';
import { builtinPlugins } from '../plugins/index.js';
import { REWARD_MODEL_PLANS } from './reward-models/plans.js';
import { rewardModelMarkdown } from './reward-models/source-md.js';

function argument(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const set = (path: string, value: unknown): Override => ({ path: path.split('.'), value, source: `${path}=${JSON.stringify(value)}` });

/** A finished run as runRecipe reports it, read back from its manifest. */
function finishedRun(runDir: string): { runDir: string; status: string; result?: { metrics: Record<string, number> } } {
  const manifest = JSON.parse(readFileSync(join(runDir, 'run_manifest.json'), 'utf8')) as { status: string; metrics?: Record<string, number> };
  return { runDir, status: manifest.status, ...(manifest.metrics ? { result: { metrics: manifest.metrics } } : {}) };
}

async function main(): Promise<void> {
  const repo = resolve(import.meta.dirname, '..');
  const which = argument('model') ?? '';
  const plan = REWARD_MODEL_PLANS[which];
  if (!plan) {
    console.error(`--model must be one of: ${Object.keys(REWARD_MODEL_PLANS).join(', ')} (got ${which || 'nothing'})`);
    process.exit(2);
  }
  const dataDir = resolve(argument('data', join(repo, '..', 'shared', 'data'))!);
  const sources = plan.sources.map((s) => ({ use: s.use, options: { ...(s.options ?? {}), ...(s.folder ? { path: join(dataDir, s.folder) } : {}) } }));
  const overrides = [set('data.sources', sources), ...Object.entries(plan.trainer).map(([k, v]) => set(`trainer.options.${k}`, v))];
  const kernel = await new Kernel().load({ builtins: builtinPlugins });
  const resume = argument('resume');
  const packaged = argument('package');
  const outcome = packaged
    ? finishedRun(resolve(packaged))
    : resume
    ? await runRecipe(kernel, { recipe: 'reward-model', resume: resolve(resume), interactive: true })
    : await runRecipe(kernel, { recipe: 'reward-model', configFile: join(repo, plan.config), overrides, out: resolve(argument('run', join(repo, 'runs', `reward-${which}-${Date.now()}`))!), interactive: true });
  if (outcome.status !== 'completed' || !outcome.result) {
    console.error(`run ${outcome.runDir} ended ${outcome.status}; continue it with --resume ${outcome.runDir}`);
    process.exit(1);
  }
  const metrics = outcome.result.metrics;
  const pick = (prefix: string): Record<string, number> =>
    Object.fromEntries(Object.entries(metrics).filter(([k]) => k.startsWith(prefix) && k !== 'eval_rows').map(([k, v]) => [k.slice(prefix.length), v]));
  const exported = pick('exported_');
  const trained = Object.fromEntries(Object.keys(exported).map((k) => [k, metrics[`eval_${k}`] as number]));
  const rows = readMetrics(join(outcome.runDir, 'metrics.jsonl'));
  const curve = rows.filter((r) => r.type === 'eval').map((r) => ({ step: Number(r.step), metrics: r as unknown as Record<string, number> }));
  // Training time: the optimizer steps themselves (evaluations and the export excluded), resumed parts included.
  const seconds = rows.filter((r) => r.type === 'step').reduce((t, r) => t + Number((r as Record<string, unknown>).step_time_s ?? 0), 0);
  const config = parseYaml(readFileSync(join(outcome.runDir, 'config.yaml'), 'utf8')) as Record<string, unknown>;

  const from = join(outcome.runDir, 'final', 'classifier');
  const outDir = join(repo, 'models', plan.name);
  await writeDirAtomic(outDir, async (temp) => {
    const digests: Record<string, string> = {};
    // Only what a classifier folder holds (runs exported before this filter also carried the base's generation_config.json).
    for (const file of readdirSync(from).filter((f) => f !== 'generation_config.json').sort()) {
      copyFileSync(join(from, file), join(temp, file));
      digests[file] = createHash('sha256').update(readFileSync(join(from, file))).digest('hex');
    }
    writeFileSync(
      join(temp, 'SOURCE.md'),
      rewardModelMarkdown({
        model: which,
        plan,
        base: String(config.model),
        seed: Number(config.seed),
        seconds,
        rows: { train: metrics.train_rows ?? 0, heldOut: metrics.eval_rows ?? 0 },
        config,
        curve,
        exported,
        trained,
        digests,
      }),
    );
  });
  console.error(`wrote ${outDir}: ${Object.entries(exported).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
}

await main();
