/**
 * `attune run <recipe> --from-stage <name> --from-run <dir>`: a new run that starts at `<name>`,
 * reusing what an earlier run of the same recipe made before it. The earlier stages' directories,
 * completion records and metrics rows are copied into the new run (the earlier run is never
 * touched), so the recipe sees those stages as done and its curves still show the whole pipeline.
 * Config keys that differ from the earlier run's are reported: the copied stages were made with
 * the earlier values.
 */
import { cpSync, existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { RecipeError } from '../../base/errors.js';
import { writeFileAtomic } from '../../base/atomic-write.js';
import type { RecipeDefinition } from '../recipes/recipe.js';
import { readMetrics } from '../events/subscribers/metrics-writer.js';
import { readManifest } from './manifest.js';
import { readStageRecord, stageRecordPath } from './stage-record.js';

export interface FromStage {
  /** The first stage this run trains. */
  readonly stage: string;
  /** The earlier run whose outputs the stages before it come from. */
  readonly run: string;
}

/** Dotted paths at which two configs differ (`trainer.options.lr`), in a stable order. */
export function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

/** Copies the stages before `from.stage` of `from.run` into the new `runDir`; returns what to log, and a warning when configs differ. */
export async function seedFromStage(
  recipe: RecipeDefinition,
  recipeName: string,
  from: FromStage,
  runDir: string,
  config: Record<string, unknown>,
): Promise<{ log: string; warning?: string }> {
  const names = recipe.stages.map((s) => s.name);
  const index = names.indexOf(from.stage);
  if (index < 0) throw new RecipeError(`--from-stage ${from.stage}: recipe '${recipeName}' has no such stage.`, `Its stages, in order: ${names.join(', ')}.`);
  if (index === 0) throw new RecipeError(`--from-stage ${from.stage} is the first stage of '${recipeName}': there is nothing earlier to reuse.`, 'Start a new run without --from-stage.');
  const previous = readManifest(from.run);
  if (previous.recipe !== recipeName) {
    throw new RecipeError(`--from-run ${from.run} is a run of '${previous.recipe}', not of '${recipeName}'.`, `Give a run of ${recipeName}, or run: attune run ${previous.recipe} --from-run ${from.run} --from-stage …`);
  }
  const earlier = names.slice(0, index);
  const records = earlier.map((stage) => {
    const record = readStageRecord(from.run, stage);
    if (!record) {
      throw new RecipeError(
        `--from-stage ${from.stage}: stage '${stage}' of ${from.run} did not complete (no ${stageRecordPath(from.run, stage)}; the run is ${previous.status}).`,
        `Resume that run (attune run ${recipeName} --resume ${from.run}), or start --from-stage ${stage}.`,
      );
    }
    return record;
  });
  for (const record of records) {
    const stageDir = join(from.run, record.stage);
    if (existsSync(stageDir)) cpSync(stageDir, join(runDir, record.stage), { recursive: true });
    // Outputs a stage wrote outside its own directory (a first stage's top-level final/) travel too.
    if (record.artifactsDir && !`${record.artifactsDir}${sep}`.startsWith(`${record.stage}${sep}`)) {
      cpSync(join(from.run, record.artifactsDir), join(runDir, record.artifactsDir), { recursive: true });
    }
    cpSync(stageRecordPath(from.run, record.stage), stageRecordPath(runDir, record.stage));
  }
  const kept = readMetrics(join(from.run, 'metrics.jsonl')).filter((r) => r.stage !== undefined && earlier.includes(r.stage));
  await writeFileAtomic(join(runDir, 'metrics.jsonl'), kept.map((r) => JSON.stringify(r)).join('\n') + (kept.length ? '\n' : ''));

  const log = `reusing ${earlier.join(', ')} from ${from.run}; training from ${from.stage}`;
  const changed = differingPaths(previous.config, config);
  if (changed.length === 0) return { log };
  const shown = changed.slice(0, 8).join(', ') + (changed.length > 8 ? ` and ${changed.length - 8} more` : '');
  return { log, warning: `the config differs from ${from.run}'s at ${shown}; the reused stages (${earlier.join(', ')}) were made with that run's values` };
}
