/** Command lines with wrong values, unknown flags and missing arguments, across the commands. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chooser } from './random.js';
import type { FuzzCase } from './run-cases.js';

const numberFlags = ['--max-new-tokens', '--temperature', '--top-p', '--top-k', '--repetition-penalty', '--seed'];
const badValues = ['abc', '', '1e3x', 'NaN', '--greedy', '0x', '-'];

export function cliCases(choose: Chooser, dir: string, count: number): FuzzCase[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  mkdirSync(join(dir, 'a-folder'), { recursive: true });
  const generate = ['generate', '--model', 'attune-tiny-qwen2', '--prompt', 'hi', '--max-new-tokens', '2'];
  const makers: (() => { argv: string[]; locate: string[] })[] = [
    () => {
      const flag = choose.pick(numberFlags);
      const value = choose.pick(badValues);
      return { argv: [...generate, flag, ...(value === '' ? [] : [value])], locate: [flag] };
    },
    () => {
      const flag = choose.pick(['--temprature', '--max-tokens-new', '--greed', '--x']);
      return { argv: [...generate, flag, '1'], locate: [flag.replace(/^--/, '')] };
    },
    () => ({ argv: [choose.pick(['genrate', 'trian', 'runn', 'evalute'])], locate: ['Unknown', 'Did you mean', 'Name a command'] }),
    () => ({ argv: ['validate', join(dir, choose.pick(['nope.yaml', 'a-folder', 'a-file']))], locate: [dir] }),
    () => ({ argv: ['data', 'inspect', choose.pick(['edd', 'sources/nope', 'esconvv'])], locate: ['source', 'Did you mean'] }),
    () => ({ argv: ['data', 'inspect', 'ed', '--split', choose.pick(['trian', 'dev2', ''])], locate: ['split'] }),
    () => ({ argv: ['describe', choose.pick(['sft-multi', 'nope', 'sources/edd'])], locate: ['Unknown', 'unknown', 'Did you mean'] }),
    () => ({ argv: ['cp', 'sft-multiobjective', choose.pick(['/proc/x/y.yaml', join(dir, 'a-file', 'x.yaml'), join(dir, 'a-folder')])], locate: ['/proc', 'a-file', 'a-folder'] }),
    () => ({ argv: ['run', 'sft-multiobjective', '--resume', join(dir, choose.pick(['no-run', 'a-folder', 'a-file']))], locate: [dir] }),
    () => ({ argv: ['run', 'sft-multiobjective', '--config', join(dir, 'a-folder')], locate: ['a-folder'] }),
    () => ({ argv: [...generate, '--device', choose.pick(['gpu', 'tpu', ''])], locate: ['device'] }),
    () => ({ argv: ['perplexity', '--model', choose.pick([join(dir, 'a-file'), join(dir, 'a-folder'), 'no-such-model']), '--text', 'hello there'], locate: ['a-file', 'a-folder', 'no-such-model'] }),
    () => ({ argv: ['perplexity', '--model', 'attune-tiny-qwen2', '--data', join(dir, choose.pick(['a-folder', 'nope.jsonl', 'a-file']))], locate: [dir] }),
    () => ({ argv: ['serve', '--model', 'attune-tiny-qwen2', '--port', choose.pick(['abc', '-1', '99999', '1e9'])], locate: ['port'] }),
    () => ({ argv: ['validate', join(dir, 'nope.yaml'), '--set', choose.pick(['__proto__.x=1', 'a..b=1', 'noequals', 'constructor.prototype.y=2'])], locate: ['--set', dir] }),
  ];
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const k = choose.int(makers.length);
    const { argv, locate } = makers[k]!();
    cases.push({ id: `cli-${i}-k${k}`, family: 'cli', argv, expect: 'reject', locate });
  }
  return cases;
}
