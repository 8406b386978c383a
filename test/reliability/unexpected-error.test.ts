/** An error nobody anticipated reaches the terminal as one line that points at its full trace. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportUnexpected, tagWithRunLog } from '../../core/base/unexpected-error.js';
import { tempDir } from '../kernel/helpers.js';
import { STACK_FRAME } from '../cli/run-in-process.js';

function thrower(): never {
  throw new TypeError('Cannot read properties of undefined (reading \'x\')\nsecond line');
}

function caught(): Error {
  try {
    thrower();
  } catch (error) {
    return error as Error;
  }
}

test('the terminal gets the error in one line and the file holding its trace; the file has the stack', () => {
  const text = reportUnexpected(caught(), ['generate', 'model']);
  assert.doesNotMatch(text, STACK_FRAME);
  assert.doesNotMatch(text, /second line/);
  assert.match(text, /^error: unexpected TypeError: Cannot read properties of undefined \(reading 'x'\)\n/);
  const file = /the full trace is in (\S+)\./.exec(text)?.[1];
  assert.ok(file, text);
  const written = readFileSync(file, 'utf8');
  assert.match(written, /unexpected error in: attune generate model/);
  assert.match(written, /at thrower/);
});

test('a run\'s unexpected failure appends its trace to that run\'s run.log', () => {
  const dir = tempDir();
  const log = join(dir, 'run.log');
  writeFileSync(log, 'earlier lines\n');
  const text = reportUnexpected(tagWithRunLog(caught(), log), ['run', 'x']);
  assert.match(text, new RegExp(`the full trace is in ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
  const written = readFileSync(log, 'utf8');
  assert.match(written, /^earlier lines\n/);
  assert.match(written, /at thrower/);
});
