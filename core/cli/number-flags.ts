/**
 * yargs reads `--temperature abc` as NaN, `--max-new-tokens` with nothing after it as the
 * default, and `--top-p=` as 0 — each a silent fallback. Every flag declared as a number must
 * be given a number; this checks the command line as typed.
 */
import { AttuneError } from '../base/errors.js';

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/** `numberFlags`: the declared number options (yargs' `getOptions().number`), in any spelling. */
export function checkNumberFlags(argv: readonly string[], numberFlags: readonly string[]): void {
  const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const declared = new Set(numberFlags.map(kebab));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    const match = /^--([^=]+)(=(.*))?$/.exec(token);
    if (!match || !declared.has(kebab(match[1]!))) continue;
    const flag = `--${match[1]}`;
    const value = match[2] !== undefined ? match[3]! : argv[i + 1];
    if (value === undefined || value === '' || (match[2] === undefined && value.startsWith('--'))) {
      throw new AttuneError(`${flag} needs a number after it, got nothing.`, `Give the number right after the flag: ${flag} <number> or ${flag}=<number>.`);
    }
    if (!NUMBER.test(value)) throw new AttuneError(`${flag} expects a number, got '${value}'.`, `Give the number right after the flag: ${flag} <number> or ${flag}=<number>.`);
  }
}
