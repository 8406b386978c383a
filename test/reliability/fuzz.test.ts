/**
 * A seeded fuzz audit of the command line: a few hundred generated inputs across configs, data
 * folders, model folders and command-line arguments, each run as `attune …` under a time
 * limit. No output may look like a stack trace, every input must finish in time, and every
 * input known to be bad must be refused (or, for data, have its defect reported).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../kernel/helpers.js';
import { cliCases } from './fuzz/cli-args.js';
import { configCases } from './fuzz/configs.js';
import { dataCases } from './fuzz/data.js';
import { modelCases } from './fuzz/models.js';
import { Chooser } from './fuzz/random.js';
import { runCases } from './fuzz/run-cases.js';
import { summaryTable, verdict } from './fuzz/summary.js';

const SEED = Number(process.env.ATTUNE_FUZZ_SEED ?? 20261207);
/** A case that runs longer than this hangs (the slowest honest case, a 1.5 MB row, takes ~2 s). */
const CASE_LIMIT_MS = 30_000;

test(`fuzz audit (seed ${SEED}): no stack traces, no hangs, known-bad inputs refused or reported`, { timeout: 600_000 }, async (t) => {
  const dir = tempDir('attune-fuzz-');
  const choose = new Chooser(SEED);
  const cases = [
    ...configCases(choose, join(dir, 'configs'), 120),
    ...dataCases(choose, join(dir, 'data'), 60),
    ...modelCases(choose, join(dir, 'models'), 40),
    ...cliCases(choose, join(dir, 'cli'), 80),
  ];
  const results = await runCases(cases, CASE_LIMIT_MS);
  t.diagnostic(`\n${summaryTable(results)}`);
  const problems = results.flatMap((r) => {
    const v = verdict(r);
    const why = [v.stackTrace && 'a stack trace', v.hung && `no end within ${CASE_LIMIT_MS} ms`, v.wronglyAccepted && 'accepted a known-bad input', v.unexpected && 'an unexpected error (exit 2)'].filter(Boolean);
    return why.length ? [`${r.fuzz.id} (${why.join(', ')}): attune ${r.fuzz.argv.join(' ')}\n${(r.stderr || r.stdout).slice(0, 600)}`] : [];
  });
  assert.deepEqual(problems, [], problems.join('\n\n'));
});
