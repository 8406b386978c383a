/**
 * Evaluating subjects — a base model and adapters on it, each answering through a decoding policy
 * — with evaluators, and writing what they report into a folder: `<evaluator>.<subject>.jsonl`
 * (the response rows with their scores), figures as SVG and PNG, and `metrics.json`. Shared by
 * `attune evaluate`, the `evaluate` recipe and the `pipeline` recipe; `readEvaluation` reads a
 * folder back for reports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { makeFolders } from '../base/file-system-errors.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../base/atomic-write.js';
import type { DecodingPolicy } from '../kernel/extension-points/decoding-policy.js';
import type { EvaluationReport, Evaluator, ResponseRow } from '../kernel/extension-points/evaluator.js';
import { InferenceModel, ModelTextGenerator } from '../model/generation/index.js';
import type { ModelFolder } from '../model/folder/open-model-folder.js';

export interface EvaluationTarget {
  /** How reports name it (`base`, `tuned`, a run). */
  readonly name: string;
  /** A PEFT adapter folder; absent: the base model. */
  readonly adapterDir?: string;
  readonly policy: DecodingPolicy;
}

export interface EvaluationResult {
  readonly evaluator: string;
  readonly subject: string;
  readonly report: EvaluationReport;
}

/** Each evaluator on each target, in that order; one model folder, an adapter swapped in per target. */
export async function evaluateTargets(
  model: ModelFolder,
  targets: readonly EvaluationTarget[],
  evaluators: readonly { readonly use: string; readonly evaluator: Evaluator }[],
  log: (message: string) => void = () => {},
): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  for (const target of targets) {
    const inference = await InferenceModel.open(model, target.adapterDir !== undefined ? { adapter: target.adapterDir } : {});
    try {
      const generator = new ModelTextGenerator(inference);
      for (const { use, evaluator } of evaluators) {
        log(`${use} on ${target.name}`);
        results.push({ evaluator: use, subject: target.name, report: await evaluator.evaluate({ label: target.name, generator, policy: target.policy }) });
      }
    } finally {
      await inference.release();
    }
  }
  return results;
}

const slug = (s: string) => s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'subject';
const short = (use: string) => use.split('/').pop()!;

/** `<dir>/<evaluator>.<subject>.jsonl`, its figures and `metrics.json`; returns the files written. */
export async function writeEvaluation(dir: string, results: readonly EvaluationResult[]): Promise<string[]> {
  makeFolders(dir, 'evaluation folder');
  const { writeFigure } = await import('../report/loss-curves.js');
  const written: string[] = [];
  const files: Record<string, string> = {};
  for (const r of results) {
    const base = `${short(r.evaluator)}.${slug(r.subject)}`;
    const rows = r.report.items ?? [];
    if (rows.length) {
      await writeFileAtomic(join(dir, `${base}.jsonl`), `${rows.map((x) => JSON.stringify(x)).join('\n')}\n`);
      written.push(join(dir, `${base}.jsonl`));
      files[`${r.evaluator}|${r.subject}`] = `${base}.jsonl`;
    }
    for (const figure of r.report.figures ?? []) written.push(...(await writeFigure(join(dir, `${base}.${figure.name}`), figure.spec as unknown as Parameters<typeof writeFigure>[1])));
  }
  const summary = results.map((r) => ({
    evaluator: r.evaluator,
    subject: r.subject,
    metrics: r.report.metrics,
    notes: r.report.notes ?? [],
    items: files[`${r.evaluator}|${r.subject}`] ?? null,
    figures: (r.report.figures ?? []).map((f) => `${short(r.evaluator)}.${slug(r.subject)}.${f.name}.svg`),
  }));
  await writeFileAtomic(join(dir, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
  written.push(join(dir, 'metrics.json'));
  return written;
}

export interface SavedEvaluation {
  readonly evaluator: string;
  readonly subject: string;
  readonly metrics: Record<string, number>;
  readonly notes: string[];
  readonly items: ResponseRow[];
  readonly figures: string[];
}

/** A folder `writeEvaluation` wrote; empty when it has no metrics.json. */
export function readEvaluation(dir: string): SavedEvaluation[] {
  const file = join(dir, 'metrics.json');
  if (!existsSync(file)) return [];
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { evaluator: string; subject: string; metrics: Record<string, number | null>; notes: string[]; items: string | null; figures: string[] }[];
  return saved.map((s) => ({
    evaluator: s.evaluator,
    subject: s.subject,
    // NaN is written as null by JSON.
    metrics: Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, v ?? Number.NaN])),
    notes: s.notes,
    items: s.items && existsSync(join(dir, s.items)) ? readFileSync(join(dir, s.items), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResponseRow) : [],
    figures: s.figures.filter((f) => existsSync(join(dir, f))).map((f) => join(dir, f)),
  }));
}
