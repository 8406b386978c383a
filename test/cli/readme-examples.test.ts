/**
 * The README's command lines cannot drift: every `npx attune …` line is parsed, and its command
 * must exist with every flag it uses (in `attune <command> --help`), the recipes, configs and
 * items it names must exist, and its `--set` overrides must validate against the recipe.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import { runCli } from '../../core/cli/main.js';

async function attune(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
  const code = await runCli(args, io);
  return { code, out };
}

/** The line's words: quotes kept together, the comment and optional brackets dropped. */
function words(line: string): string[] {
  const code = line.replace(/\s+#\s.*$/, '').replace(/[[\]]/g, ' ');
  return [...code.matchAll(/"[^"]*"|\S+/g)].map((m) => m[0].replace(/^"|"$/g, ''));
}

const SUBCOMMANDS = new Set(['data', 'eval', 'export']);
const lines = readFileSync(fromPackageRoot('README.md'), 'utf8').split('\n').filter((l) => l.startsWith('npx attune '));

describe('README examples', () => {
  test('every command line names a real command, real flags, real recipes, configs and items, and valid overrides', async () => {
    assert.ok(lines.length >= 25, `${lines.length} command lines`);
    const list = (await attune(['list'])).out;
    const helps = new Map<string, string>();
    for (const line of lines) {
      const w = words(line).slice(2);
      const command = SUBCOMMANDS.has(w[0]!) ? w.slice(0, 2) : w.slice(0, 1);
      const key = command.join(' ');
      if (!helps.has(key)) {
        const help = await attune([...command, '--help']);
        assert.equal(help.code, 0, `${line}: attune ${key} --help failed: ${help.out}`);
        helps.set(key, help.out);
      }
      const help = helps.get(key)!;
      for (const flag of w.filter((x) => x.startsWith('--'))) assert.ok(help.includes(flag.split('=')[0]!), `${line}: attune ${key} has no ${flag}`);
      const value = (flag: string) => w.flatMap((x, i) => (x === flag ? [w[i + 1]!] : []));
      for (const item of [...value('--evaluator'), ...value('--policy'), ...value('--reward')].filter((x) => /^[a-z-]+\/[a-z-]+$/.test(x))) {
        assert.ok(list.includes(item), `${line}: no item ${item}`);
      }
      for (const config of value('--config').filter((c) => c.startsWith('configs/'))) assert.ok(existsSync(fromPackageRoot(config)), `${line}: ${config} does not exist`);
      if (command[0] === 'run') {
        const recipe = w[1]!.startsWith('<') ? 'sft-multiobjective' : w[1]!;
        const config = value('--config').find((c) => c.startsWith('configs/'));
        const sets = value('--set').flatMap((s) => ['--set', s]);
        if (!w[1]!.startsWith('<') || sets.length) {
          const target = config ? fromPackageRoot(config) : fromPackageRoot('configs', recipe, 'example.yaml');
          const r = await attune(['validate', target, '--recipe', recipe, ...sets]);
          assert.equal(r.code, 0, `${line}: ${r.out}`);
        }
      }
    }
  });
});
