/**
 * Response rows — `{prompt_id, prompt, model, response, meta, decoding}` plus the optional
 * `intervention` and `trace` — as `attune respond` and every evaluator write them: read with
 * located errors, and checked for base/tuned parity (the same prompts, each once, with the same
 * text), so two exports compare like with like.
 */
import { describeZodIssue } from '../base/zod-issue.js';
import { z } from 'zod';
import { AttuneError } from '../base/errors.js';
import { readJsonlFile } from '../base/jsonl-file.js';
import type { ResponseRow } from '../kernel/extension-points/evaluator.js';

const rowSchema = z.object({
  prompt_id: z.union([z.string().min(1), z.number()]).transform(String),
  prompt: z.string(),
  model: z.string().min(1),
  response: z.string(),
  meta: z.record(z.string(), z.unknown()).default({}),
  decoding: z.record(z.string(), z.unknown()).default({}),
  intervention: z.object({ kind: z.string(), reason: z.string() }).nullable().optional(),
  trace: z.array(z.unknown()).optional(),
});

export async function readResponseRows(file: string): Promise<ResponseRow[]> {
  const rows = await readJsonlFile(file, 'response rows');
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const parsed = rowSchema.safeParse(r.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AttuneError(`${file}:${r.line}, key ${issue.path.join('.') || '(row)'}: ${describeZodIssue(issue)}`, 'rows are {"prompt_id", "prompt", "model", "response", "meta", "decoding"}, as attune respond writes them');
    }
    // Repeated runs over the same prompts (EQ-Bench iterations) say which run in meta.iteration.
    const key = `${parsed.data.prompt_id}#${String(parsed.data.meta.iteration ?? 0)}`;
    const first = seen.get(key);
    if (first !== undefined) throw new AttuneError(`${file}:${r.line}: prompt_id "${parsed.data.prompt_id}" repeats line ${first}`, 'one row per prompt (rows of repeated runs carry meta.iteration)');
    seen.set(key, r.line);
    return parsed.data as ResponseRow;
  });
}

export interface PairCheck {
  readonly ok: boolean;
  readonly problems: string[];
  readonly shared: number;
}

/** Base vs tuned: the same prompt ids with the same prompt text; different models. */
export function checkPairs(a: readonly ResponseRow[], b: readonly ResponseRow[], names: [string, string]): PairCheck {
  const problems: string[] = [];
  const byId = (rows: readonly ResponseRow[]) => new Map(rows.map((r) => [r.prompt_id, r]));
  const ma = byId(a);
  const mb = byId(b);
  const onlyA = [...ma.keys()].filter((k) => !mb.has(k));
  const onlyB = [...mb.keys()].filter((k) => !ma.has(k));
  const list = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` … (${ids.length})` : ''}`;
  if (onlyA.length) problems.push(`${onlyA.length} prompt_id(s) only in ${names[0]}: ${list(onlyA)}`);
  if (onlyB.length) problems.push(`${onlyB.length} prompt_id(s) only in ${names[1]}: ${list(onlyB)}`);
  let shared = 0;
  for (const [id, ra] of ma) {
    const rb = mb.get(id);
    if (!rb) continue;
    shared++;
    if (ra.prompt !== rb.prompt) problems.push(`prompt_id ${id}: the prompt differs (${JSON.stringify(ra.prompt.slice(0, 40))} vs ${JSON.stringify(rb.prompt.slice(0, 40))})`);
  }
  const models = (rows: readonly ResponseRow[]) => [...new Set(rows.map((r) => r.model))];
  const [ka, kb] = [models(a), models(b)];
  if (ka.length === 1 && kb.length === 1 && ka[0] === kb[0]) problems.push(`both files answer as the same model (${ka[0]}): a base/tuned pair should differ`);
  return { ok: problems.length === 0, problems, shared };
}
