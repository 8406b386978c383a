/** What the recipe tests share: a temp directory per test, --set overrides, the built-in kernel, a non-interactive run, the step rows of metrics.jsonl. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import type { RunOptions } from '../../core/kernel/runs/run-recipe.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import type { PluginDefinition } from '../../core/kernel/index.js';
import { builtinPlugins } from '../../plugins/index.js';

export function tempDir(prefix = 'attune-recipe-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const set = (path: string, value: unknown): Override => ({ path: path.split('.'), value, source: `${path}=${JSON.stringify(value)}` });

export const kernel = (extra: PluginDefinition[] = []): Promise<Kernel> => new Kernel().load({ builtins: [...builtinPlugins, ...extra] });

export const run = async (k: Kernel, options: RunOptions) => runRecipe(k, { ...options, interactive: false });

export const steps = (runDir: string): Record<string, number>[] => readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.type === 'step') as unknown as Record<string, number>[];

/**
 * The exact-resume check every trainer needs: the same config run straight, and run again with a
 * Ctrl-C at the first step event `stopAt` accepts, then resumed. Returns both run directories
 * after asserting the statuses; the caller compares what must be identical.
 */
export async function straightAndResumed(options: { recipe: string; configFile: string; overrides: Override[] }, stopAt: (event: { stage: string; step: number }) => boolean): Promise<{ straight: string; broken: string }> {
  const dir = tempDir();
  const k = await kernel();
  const straight = join(dir, 'straight');
  const broken = join(dir, 'broken');
  const status = async (p: Promise<{ status: string }>, want: string, what: string): Promise<void> => {
    const got = (await p).status;
    if (got !== want) throw new Error(`${what} ended ${got}, expected ${want}`);
  };
  await status(run(k, { ...options, out: straight }), 'completed', 'the straight run');
  await status(run(k, { ...options, out: broken, onBus: (bus) => bus.on('step', (e) => (stopAt(e) ? void process.emit('SIGINT', 'SIGINT') : undefined)) }), 'interrupted', 'the interrupted run');
  await status(run(k, { recipe: options.recipe, resume: broken }), 'completed', 'the resumed run');
  return { straight, broken };
}
