/**
 * Evaluator `eq-bench`: EQ-Bench v2 (171 questions, full-scale scoring; the default), v1 (60) or
 * the German v2, with the official prompt handling, parsing, retries (temperature 0.01, +0.15
 * per retry, 3 attempts; a question that never parses is left out, not scored 0), the 83.33 %
 * parseable rule and, optionally, the revision pass. The model answers the question directly
 * (the subject's generator, not its decoding policy: EQ-Bench measures the model's reading of
 * emotions, and a policy's system prompt would change the task).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { assetPath, defineItem, PluginError } from 'attune';
import type { EvaluationReport, Evaluator, ResponseRow } from 'attune';
import { aggregateEqBench, eqBenchPrompt, parseEqBenchAnswer, scoreEqBenchAnswer } from './scoring.js';
import type { EqBenchQuestion, EqBenchVersion, ParsedScores } from './scoring.js';

const FILES: Record<EqBenchVersion, string> = {
  v2: 'eq_bench_v2_questions_171.json',
  'v2-de': 'eq_bench_v2_questions_171_de.json',
  v1: 'eq_bench_v1_questions_60.json',
};

interface RawQuestion {
  prompt: string;
  reference_answer: Record<string, string | number>;
  reference_answer_fullscale: Record<string, string | number>;
}

export function loadEqBenchQuestions(version: EqBenchVersion): EqBenchQuestion[] {
  const file = assetPath(import.meta.url, `questions/${FILES[version]}`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, RawQuestion>;
  return Object.entries(raw).map(([id, q]) => {
    const ref = version === 'v1' ? q.reference_answer : q.reference_answer_fullscale;
    return { id, prompt: q.prompt, reference: [1, 2, 3, 4].map((j) => ({ emotion: String(ref[`emotion${j}`]), score: Number(ref[`emotion${j}_score`]) })) };
  });
}

const options = z.strictObject({
  version: z.enum(['v2', 'v1', 'v2-de']).default('v2').describe('question set and scoring: v2 (171, full scale), v1 (60, normalized), v2-de (German)'),
  revise: z.boolean().default(false).describe('ask for a critique and revised scores (the official default is off)'),
  iterations: z.number().int().positive().default(1).describe('runs over the whole set, averaged'),
  attempts: z.number().int().positive().default(3).describe('tries per question until its answer parses'),
  maxNewTokens: z.number().int().positive().optional().describe('tokens per answer (default 60, or 1000 with revise)'),
  questions: z.number().int().positive().optional().describe('only the first N questions (a smoke test: the score is then not the benchmark\'s)'),
  batchSize: z.number().int().positive().default(16).describe('questions generated together'),
});

type Options = z.output<typeof options>;

interface QuestionResult {
  readonly firstPass: number | null;
  readonly revised: number | null;
  readonly response: string;
  readonly attempts: number;
  readonly parsed: { firstPass: Record<string, number>; revised: Record<string, number> };
}

const plain = (m: ParsedScores): Record<string, number> => Object.fromEntries(m);

export const eqBenchEvaluator = defineItem({
  description: 'EQ-Bench v2/v1/German: emotional understanding scored as the official harness does (parse rate, 83.33 % rule, retries)',
  options,
  create: (o: Options): Evaluator => {
    const version = o.version as EqBenchVersion;
    const language = version === 'v2-de' ? 'de' : 'en';
    const all = loadEqBenchQuestions(version);
    const questions = o.questions ? all.slice(0, o.questions) : all;
    const maxNewTokens = o.maxNewTokens ?? (o.revise ? 1000 : 60);
    const judge = (id: string, response: string, attempts: number): QuestionResult => {
      const q = questions.find((x) => x.id === id)!;
      const parsed = parseEqBenchAnswer(response, language, o.revise);
      return { firstPass: scoreEqBenchAnswer(parsed.firstPass, q, version), revised: o.revise ? scoreEqBenchAnswer(parsed.revised, q, version) : null, response, attempts, parsed: { firstPass: plain(parsed.firstPass), revised: plain(parsed.revised) } };
    };
    const counts = (r: QuestionResult) => (o.revise ? r.firstPass !== null && r.revised !== null : r.firstPass !== null);

    const report = (runs: Map<string, QuestionResult>[], model: string): EvaluationReport => {
      const metrics: Record<string, number> = {};
      const perRun = runs.map((run) => {
        const first = aggregateEqBench(questions.map((q) => run.get(q.id)?.firstPass ?? null));
        if (!o.revise) return first;
        const revised = aggregateEqBench(questions.map((q) => run.get(q.id)?.revised ?? null));
        // The official choice: the revised score when it is not lower and nearly as many answers parsed.
        return revised.score !== null && first.score !== null && revised.score >= first.score && revised.parseable >= 0.95 * first.parseable ? revised : first;
      });
      const scored = perRun.filter((r) => r.score !== null);
      const score = scored.length ? Math.round((scored.reduce((s, r) => s + r.score!, 0) / scored.length) * 100) / 100 : Number.NaN;
      const parseable = perRun.reduce((s, r) => s + r.parseable, 0) / perRun.length;
      metrics['eq_bench.score'] = score;
      metrics['eq_bench.parseable'] = parseable;
      metrics['eq_bench.parse_rate'] = parseable / questions.length;
      metrics['eq_bench.failed'] = perRun.some((r) => r.failed) ? 1 : 0;
      metrics['eq_bench.questions'] = questions.length;
      const notes = [
        Number.isNaN(score)
          ? `EQ-Bench ${version}: no answer parsed in ${o.attempts} attempts per question (the model does not follow the answer format; see the exported responses)`
          : `EQ-Bench ${version}${o.revise ? ' with revision' : ''}: ${score.toFixed(2)} over ${parseable.toFixed(1)} of ${questions.length} questions parsed (${o.iterations} iteration${o.iterations === 1 ? '' : 's'})`,
        ...(metrics['eq_bench.failed'] ? [`failed: fewer than 83.33 % of the answers parsed, so the score does not count as an EQ-Bench result`] : []),
        ...(o.questions ? [`only the first ${o.questions} questions: not comparable with published EQ-Bench scores`] : []),
      ];
      const items: ResponseRow[] = runs.flatMap((run, iteration) =>
        questions.map((q) => {
          const r = run.get(q.id);
          return {
            prompt_id: q.id,
            prompt: eqBenchPrompt(q.prompt, language, o.revise),
            model,
            response: r?.response ?? '',
            meta: { benchmark: `eq-bench-${version}`, iteration, attempts: r?.attempts ?? 0, score: r?.firstPass ?? null, ...(o.revise ? { revised_score: r?.revised ?? null } : {}), parsed: r?.parsed ?? null, reference: q.reference },
            decoding: { evaluator: 'evaluators/eq-bench', maxNewTokens, revise: o.revise },
          };
        }),
      );
      return { metrics, items, notes };
    };

    return {
      evaluate: async (subject, signal) => {
        const runs: Map<string, QuestionResult>[] = [];
        for (let iteration = 0; iteration < o.iterations; iteration++) {
          const results = new Map<string, QuestionResult>();
          let pending = questions.map((q) => q.id);
          for (let attempt = 0; attempt < o.attempts && pending.length > 0; attempt++) {
            const retry: string[] = [];
            for (let start = 0; start < pending.length; start += o.batchSize) {
              if (signal?.aborted) throw new PluginError('evaluators/eq-bench: stopped', 'run it again to get a score');
              const ids = pending.slice(start, start + o.batchSize);
              const conversations = ids.map((id) => [{ role: 'user' as const, content: eqBenchPrompt(questions.find((q) => q.id === id)!.prompt, language, o.revise) }]);
              const outputs = await subject.generator.generate(conversations, { params: { maxNewTokens, temperature: 0.01 + 0.15 * attempt, seed: iteration * 1000 + attempt * 100 + start } });
              ids.forEach((id, k) => {
                const r = judge(id, outputs[k]!.text, attempt + 1);
                // A partial answer is kept when retries run out (the official harness does the same).
                if (!results.has(id) || r.firstPass !== null || r.revised !== null) results.set(id, r);
                if (!counts(r)) retry.push(id);
              });
            }
            pending = retry;
          }
          runs.push(results);
        }
        return report(runs, subject.label);
      },
      rescore: async (rows) => {
        const known = new Set(questions.map((q) => q.id));
        const byIteration = new Map<number, Map<string, QuestionResult>>();
        rows.forEach((row, i) => {
          if (!known.has(row.prompt_id)) throw new PluginError(`evaluators/eq-bench: row ${i + 1} has prompt_id "${row.prompt_id}", not a question id of EQ-Bench ${version}`, `prompt_id must be the question id ("1".."${questions.length}")`);
          const iteration = typeof row.meta?.iteration === 'number' ? row.meta.iteration : 0;
          if (!byIteration.has(iteration)) byIteration.set(iteration, new Map());
          byIteration.get(iteration)!.set(row.prompt_id, judge(row.prompt_id, row.response, 1));
        });
        return report([...byIteration.values()], rows[0]?.model ?? 'export');
      },
    };
  },
});
