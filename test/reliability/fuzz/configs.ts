/**
 * Mutated configs for `attune validate`: wrong types, unknown and forbidden keys, unknown items,
 * broken YAML, alias bombs, extends that go nowhere, cross-key mistakes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fromPackageRoot } from '../../../core/base/paths.js';
import type { Chooser } from './random.js';
import type { FuzzCase } from './run-cases.js';

type Tree = Record<string, unknown>;

const base = (): Tree => ({
  ...(parse(readFileSync(fromPackageRoot('configs', 'sft-multiobjective', 'example.yaml'), 'utf8')) as Tree),
  model: 'attune-tiny-qwen2',
});

const numberKeys: string[][] = [
  ['seed'],
  ['lora', 'r'],
  ['lora', 'alpha'],
  ['lora', 'dropout'],
  ['trainer', 'options', 'steps'],
  ['trainer', 'options', 'lr'],
  ['trainer', 'options', 'microBatchSize'],
  ['trainer', 'options', 'maxLength'],
  ['trainer', 'options', 'bucket'],
  ['trainer', 'options', 'evalEvery'],
  ['trainer', 'options', 'maxGradNorm'],
  ['objectives', '1', 'options', 'weight'],
];
const badNumbers: unknown[] = ['abc', -5, Number.NaN, [], {}, true, null, '1e-4x'];
const containers: string[][] = [[], ['lora'], ['trainer'], ['trainer', 'options'], ['data'], ['objectives', '0', 'options'], ['trainer', 'options', 'sampling']];

function setIn(tree: Tree, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = tree;
  path.slice(0, -1).forEach((key) => (node = node[key] as Record<string, unknown>));
  node[path.at(-1)!] = value;
}

function getIn(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node;
}

/** Normalizes the example's short item forms so mutations can reach into `options`. */
function expanded(): Tree {
  const tree = base();
  const data = tree.data as { sources: unknown[] };
  data.sources = data.sources.map((s) => (typeof s === 'string' ? { use: s, options: {} } : s));
  return tree;
}

export function configCases(choose: Chooser, dir: string, count: number): FuzzCase[] {
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(dir, 'a-folder'));
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dir, `c${i}.yaml`);
    const tree = expanded();
    let text: string | undefined;
    let expect: FuzzCase['expect'] = 'reject';
    const locate = [`c${i}.yaml`];
    const kind = choose.int(14);
    switch (kind) {
      case 0: {
        const path = choose.pick(numberKeys);
        setIn(tree, path, choose.pick(badNumbers));
        locate.push(path.join('.'));
        break;
      }
      case 1: {
        const at = choose.pick(containers);
        const key = choose.pick(['lerning_rate', 'stepz', 'foo', 'Lr', 'r2', 'toString', 'valueOf', 'hasOwnProperty']);
        (getIn(tree, at) as Tree)[key] = 1;
        locate.push(key);
        break;
      }
      case 2: {
        const key = choose.pick(['__proto__', 'constructor', 'prototype']);
        const full = stringify(tree);
        text = choose.chance(0.5) ? `${full}${key}: {x: 1}\n` : full.replace(/^trainer:\n/m, `trainer:\n  ${key}: 1\n`);
        locate.push(key);
        break;
      }
      case 3: {
        const target = choose.pick([['trainer', 'use'], ['objectives', '0', 'use'], ['data', 'sources', '0', 'use']]);
        setIn(tree, target, choose.pick(['trainers/sftt', 'objectives/nope', 'sources/edd', 'x/y/z', '', 'sources/ed/../ed']));
        break;
      }
      case 4:
        setIn(tree, ['trainer', 'options', 'sampling'], { kind: choose.pick(['mixtur', 'random', 3, null]) });
        break;
      case 5: {
        // Truncated or spliced YAML: some cuts still parse, which is fine; none may crash.
        const full = stringify(tree);
        text = full.slice(0, choose.int(full.length));
        if (choose.chance(0.5)) text += choose.pick(['\n  - ]', ': : :', '\t\tkey: [', '{', '"unterminated', '\n\0\u0001']);
        expect = 'any';
        break;
      }
      case 6: {
        const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
        for (let l = 1; l < 6 + choose.int(4); l++) levels.push(`a${l}: &a${l} [${Array(10).fill(`*a${l - 1}`).join(', ')}]`);
        text = `${levels.join('\n')}\n${stringify(tree)}`;
        break;
      }
      case 7:
        text = `${stringify(tree)}seed: *${choose.pick(['nope', 'a', 'seed'])}\n`;
        break;
      case 8: {
        const key = choose.pick(['seed', 'model']);
        text = `${stringify(tree)}${key}: 7\n`;
        locate.push(key);
        break;
      }
      case 9: {
        const target = choose.pick(['nope.yaml', 'a-folder', `c${i}.yaml`, '', '/proc/self/status']);
        text = `extends: ${JSON.stringify(target)}\n${stringify(tree)}`;
        break;
      }
      case 10:
        setIn(tree, ['lora', 'targetModules'], choose.pick([[], ['qq_proj'], ['q', 'lm_head'], 'everything', [3]]));
        locate.push('targetModules');
        break;
      case 11:
        setIn(tree, ['trainer', 'options', 'sampling'], { kind: 'mixture', weights: choose.pick([{ ed: 1 }, { edd: 1, ed: 1, esconv: 1, goemotions: 1 }, { ed: 0, esconv: 0, goemotions: 0 }, { ed: -1, esconv: 1, goemotions: 1 }]) });
        locate.push('weights');
        break;
      case 12:
        for (const objective of tree.objectives as { options: Tree }[]) objective.options.weight = 0;
        locate.push('objectives');
        break;
      default: {
        // Deep nesting where a scalar belongs.
        let nested: unknown = 1;
        for (let d = 0; d < 200 + choose.int(800); d++) nested = { n: nested };
        setIn(tree, ['trainer', 'options', 'lr'], nested);
        locate.push('trainer.options.lr');
      }
    }
    writeFileSync(file, text ?? stringify(tree));
    cases.push({ id: `config-${i}-k${kind}`, family: 'config', argv: ['validate', file], expect, locate });
  }
  return cases;
}
