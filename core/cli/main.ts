/**
 * The `attune` command line. Errors a user can fix print as one clear message (no stack);
 * anything else is a bug and prints one line saying where its trace was written.
 *
 * Only yargs and the commands' option declarations load up front: each command imports what it
 * runs (the kernel, models, onnxruntime) inside its handler, so `attune --help` stays quick.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AttuneError } from '../base/errors.js';
import { reportUnexpected } from '../base/unexpected-error.js';
import { describeFileSystemError, isFileSystemError } from '../base/file-system-errors.js';
import { checkNumberFlags } from './number-flags.js';
import { cpCommand } from './commands/cp.js';
import { chatCommand } from './commands/chat.js';
import { classifyCommand } from './commands/classify.js';
import { dataCommand } from './commands/data.js';
import { describeCommand } from './commands/describe-command.js';
import { exportCommand } from './commands/export.js';
import { evalCommand, evaluateCommand } from './commands/evaluate.js';
import { generateCommand } from './commands/generate.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { perplexityCommand } from './commands/perplexity.js';
import { reportCommand } from './commands/report.js';
import { respondCommand } from './commands/respond.js';
import { runCommand } from './commands/run.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';
import { validateCommand } from './commands/validate.js';

const commands = [listCommand, describeCommand, runCommand, cpCommand, validateCommand, dataCommand, generateCommand, perplexityCommand, classifyCommand, scoreCommand, chatCommand, respondCommand, serveCommand, evaluateCommand, evalCommand, reportCommand, mergeCommand, exportCommand];

/** Parses and runs one command line; throws what the command throws. */
export async function main(argv: string[]): Promise<void> {
  let cli: Argv = yargs(argv)
    .scriptName('attune')
    .option('device', { type: 'string', choices: ['cpu', 'cuda', 'webgpu'], describe: 'execution provider for every model session (run: default the config\'s device:, else cpu)' })
    // `run` chooses its device with its config (and records it); the other commands take the flag as it is.
    .middleware(async (a) => {
      checkNumberFlags(argv, (cli as unknown as { getOptions(): { number: string[] } }).getOptions().number);
      if (typeof a.device === 'string' && a.device !== 'cpu' && a._[0] !== 'run') {
        const { selectDevice } = await import('../engine/device.js');
        await selectDevice(a.device as 'cuda' | 'webgpu');
      }
    });
  for (const add of commands) cli = add(cli);
  await cli
    .demandCommand(1, 'Name a command: attune list | describe | run | cp | validate | data | generate | perplexity | classify | score | chat | respond | serve | evaluate | eval | report | merge | export')
    .recommendCommands()
    .strict()
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new AttuneError(message ?? 'invalid command line', 'See attune --help.');
    })
    .parseAsync();
}

export interface CliStreams {
  /** Receives what the command writes to process.stdout (default: process.stdout itself). */
  stdout?: { write(text: string): unknown };
  /** Receives what the command writes to process.stderr. */
  stderr?: { write(text: string): unknown };
  /** Working directory for the command (default: the current one). */
  cwd?: string;
}

type WriteFn = typeof process.stdout.write;

/**
 * Sends the text written to `stream` (by the command and by anything it calls) to `to`. Binary
 * chunks are not Attune's output (node:test's child-process reporter writes its own to stdout),
 * so they pass through.
 */
function redirect(stream: NodeJS.WriteStream, to: { write(text: string): unknown }): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'write');
  const original = stream.write;
  const write = (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    if (typeof chunk !== 'string') return (original as (...args: unknown[]) => boolean).call(stream, chunk, encoding, callback);
    to.write(chunk);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
  stream.write = write as WriteFn;
  return () => {
    if (own) Object.defineProperty(stream, 'write', own);
    else delete (stream as { write?: WriteFn }).write;
  };
}

/**
 * Runs `attune <argv…>` and returns its exit status (0, 1 for a user error, 2 for a bug, or what
 * the command set, e.g. 130 for an interrupted run) instead of exiting. Not reentrant: while it
 * runs, process.stdout/stderr (and the working directory) are the ones given.
 */
export async function runCli(argv: string[], streams: CliStreams = {}): Promise<number> {
  const restore: (() => void)[] = [];
  if (streams.stdout) restore.push(redirect(process.stdout, streams.stdout));
  if (streams.stderr) restore.push(redirect(process.stderr, streams.stderr));
  if (streams.cwd !== undefined) {
    const previous = process.cwd();
    process.chdir(streams.cwd);
    restore.push(() => process.chdir(previous));
  }
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  try {
    await main(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof AttuneError) {
      process.stderr.write(`error: ${error.describe()}\n`);
      return 1;
    }
    if (isFileSystemError(error)) {
      process.stderr.write(`error: ${describeFileSystemError(error).describe()}\n`);
      return 1;
    }
    process.stderr.write(reportUnexpected(error, argv));
    return 2;
  } finally {
    process.exitCode = exitCodeBefore;
    for (const undo of restore.reverse()) undo();
  }
}

/**
 * Errors thrown outside the command's promise (a stream's 'error' event, a rejected promise no
 * one awaited) would otherwise end the process with Node's trace: they get the same one line.
 */
export function installCrashHandlers(argv: readonly string[]): void {
  const crash = (error: unknown): void => {
    process.stderr.write(error instanceof AttuneError ? `error: ${error.describe()}\n` : reportUnexpected(error, argv));
    process.exit(error instanceof AttuneError ? 1 : 2);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

// Run directly (`tsx core/cli/main.ts …`, `node dist/core/cli/main.js …`); bin/attune.js imports it.
const entry = process.argv[1];
if (entry !== undefined && pathToFileURL(realpathOr(entry)).href === import.meta.url) {
  installCrashHandlers(hideBin(process.argv));
  process.exitCode = await runCli(hideBin(process.argv));
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
