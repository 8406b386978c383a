/**
 * The `attune` command line. Errors a user can fix print as one clear message (no stack);
 * anything else is a bug and prints its stack.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AttuneError } from '../base/errors.js';
import { cpCommand } from './commands/cp.js';
import { chatCommand } from './commands/chat.js';
import { dataCommand } from './commands/data.js';
import { describeCommand } from './commands/describe.js';
import { generateCommand } from './commands/generate.js';
import { listCommand } from './commands/list.js';
import { perplexityCommand } from './commands/perplexity.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';

const commands = [listCommand, describeCommand, runCommand, cpCommand, validateCommand, dataCommand, generateCommand, perplexityCommand, chatCommand];

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv).scriptName('attune');
  for (const add of commands) cli = add(cli);
  await cli
    .demandCommand(1, 'Name a command: attune list | describe | run | cp | validate | data | generate | perplexity | chat')
    .recommendCommands()
    .strict()
    .help()
    .fail((message, error) => {
      throw error ?? new AttuneError(message ?? 'invalid command line', 'See attune --help.');
    })
    .parseAsync();
}

try {
  await main(hideBin(process.argv));
} catch (error) {
  if (error instanceof AttuneError) {
    process.stderr.write(`error: ${error.describe()}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  }
}
