/**
 * What the CLI does with an error no one anticipated (a bug in Attune or a plugin, or a system
 * failure nobody translated): one line on the terminal that says what broke and where the full
 * trace went, never the trace itself. A run's trace goes into its run.log (`runLogOf`); any
 * other command's into a crash log in the temp folder.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUN_LOG = Symbol.for('attune.runLog');

/** Marks an error as having happened inside a run whose log is `runLog`; returns the error. */
export function tagWithRunLog<T>(error: T, runLog: string): T {
  if (error !== null && typeof error === 'object' && !(RUN_LOG in error)) {
    Object.defineProperty(error, RUN_LOG, { value: runLog, enumerable: false });
  }
  return error;
}

function runLogOf(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' ? ((error as Record<symbol, unknown>)[RUN_LOG] as string | undefined) : undefined;
}

function fullText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause !== undefined ? `\ncaused by: ${fullText(error.cause)}` : '';
    return `${error.stack ?? `${error.name}: ${error.message}`}${cause}`;
  }
  return String(error);
}

/** Writes the trace where it belongs and returns that file, or undefined when nothing could be written. */
function writeTrace(error: unknown, argv: readonly string[]): string | undefined {
  const entry = `\n[${new Date().toISOString()}] unexpected error in: attune ${argv.join(' ')}\n${fullText(error)}\n`;
  const runLog = runLogOf(error);
  if (runLog) {
    try {
      appendFileSync(runLog, entry);
      return runLog;
    } catch {
      // The run folder may be what failed (disk full, removed): fall back to the temp folder.
    }
  }
  try {
    const dir = join(tmpdir(), 'attune-crash');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    writeFileSync(file, entry.trimStart());
    return file;
  } catch {
    return undefined;
  }
}

/** The one line (two with the pointer) the terminal gets for an unexpected error. */
export function reportUnexpected(error: unknown, argv: readonly string[]): string {
  const name = error instanceof Error ? error.name : typeof error;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);
  const file = writeTrace(error, argv);
  const where = file ? `the full trace is in ${file}` : 'the trace could not be written anywhere';
  return `error: unexpected ${name}: ${message}\n  → This is a bug in Attune or a plugin, not in your input; ${where}. Please include that file when you report it.\n`;
}
