/** The audit's figures for a fuzz run: per family, how the inputs ended. */
import { STACK_FRAME } from '../../cli/run-in-process.js';
import type { CaseResult } from './run-cases.js';

export interface Verdict {
  stackTrace: boolean;
  hung: boolean;
  /** Exit 1 with an error naming the file, key or flag. */
  located: boolean;
  /** Exit 1 (or 2) with an error that names none of them. */
  unlocated: boolean;
  /** A known-bad input that exited 0 without reporting its defect. */
  wronglyAccepted: boolean;
  /** Exit 2: an unexpected error (one line and a crash log, but a bug all the same). */
  unexpected: boolean;
}

export function verdict(r: CaseResult): Verdict {
  const output = `${r.stdout}\n${r.stderr}`;
  const stackTrace = STACK_FRAME.test(output) || /ESCAPED:/.test(output);
  const failed = r.code !== 0 && r.code !== null;
  const located = failed && (r.fuzz.locate ?? []).some((s) => r.stderr.includes(s));
  const defectShown = r.fuzz.expect === 'report' && r.code === 0 && (r.fuzz.reported?.(r.stdout, r.stderr) ?? false);
  return {
    stackTrace,
    hung: r.hung,
    located,
    unlocated: failed && !located,
    wronglyAccepted: r.code === 0 && (r.fuzz.expect === 'reject' || (r.fuzz.expect === 'report' && !defectShown)),
    unexpected: r.code === 2,
  };
}

export function summaryTable(results: readonly CaseResult[]): string {
  const families = [...new Set(results.map((r) => r.fuzz.family))];
  const header = '| inputs | family | located | unlocated | stack traces | hangs | wrongly accepted | unexpected (exit 2) | accepted (fine) |';
  const rows = [...families, 'all'].map((family) => {
    const mine = results.filter((r) => family === 'all' || r.fuzz.family === family);
    const v = mine.map(verdict);
    const count = (key: keyof Verdict): number => v.filter((x) => x[key]).length;
    const fine = mine.filter((r, i) => r.code === 0 && !v[i]!.wronglyAccepted).length;
    return `| ${mine.length} | ${family} | ${count('located')} | ${count('unlocated')} | ${count('stackTrace')} | ${count('hung')} | ${count('wronglyAccepted')} | ${count('unexpected')} | ${fine} |`;
  });
  return [header, '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
