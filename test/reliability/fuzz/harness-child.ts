/**
 * The fuzz test's worker process: reads one case per line on stdin ({ id, argv }), runs `attune
 * <argv>` in this process and answers one line on fd 3 ({ id, code, stdout, stderr, ms }).
 * Running many cases in one process keeps a few hundred of them within seconds; a case that
 * hangs is the parent's to notice (it kills and replaces this process).
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { runCli } from '../../../core/cli/main.js';

const answers = createWriteStream('', { fd: 3 });
let current: { stderr: string } | undefined;

// An error escaping the command's promise must still be seen, as that case's output.
const escaped = (error: unknown): void => {
  if (current) current.stderr += `\nESCAPED: ${(error as Error)?.stack ?? String(error)}`;
};
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);

for await (const line of createInterface({ input: process.stdin })) {
  const { id, argv } = JSON.parse(line) as { id: string; argv: string[] };
  const out = { stdout: '', stderr: '' };
  current = out;
  const started = performance.now();
  const code = await runCli(argv, { stdout: { write: (t) => (out.stdout += t) }, stderr: { write: (t) => (out.stderr += t) } });
  current = undefined;
  answers.write(`${JSON.stringify({ id, code, stdout: out.stdout.slice(0, 5_000_000), stderr: out.stderr.slice(0, 20_000), ms: performance.now() - started })}\n`);
}
