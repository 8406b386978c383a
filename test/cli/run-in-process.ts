/** Runs `attune …` in this process and captures what it prints, for the reliability tests. */
import { runCli } from '../../core/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function attune(args: string[], cwd?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text) => (stdout += text) },
    stderr: { write: (text) => (stderr += text) },
    ...(cwd !== undefined && { cwd }),
  });
  return { code, stdout, stderr };
}

/** A line of a JavaScript stack trace (`    at fn (file:1:2)`), which a user must never see. */
export const STACK_FRAME = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;
