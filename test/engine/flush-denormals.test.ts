import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const engine = fileURLToPath(new URL('../../core/engine/index.ts', import.meta.url));

/**
 * What a session computes for 1e-20 · 1e-20 (= 1e-40, a float32 subnormal), and what JavaScript
 * on the main thread computes for the same product stored in a Float32Array, after it. The mode is
 * per process (the first session decides it for the main thread), so each case is its own process.
 */
function probe(setup: string): { session: number; js: number } {
  const script = `
    import { EngineSession, Graph, ops, setFlushDenormals } from ${JSON.stringify(engine)};
    ${setup}
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const s = await EngineSession.create(g.compile({ outputs: { y: ops.mul(x, x) } }));
    const out = await s.run({ x: new Float32Array([1e-20, 1e-20]) });
    const a = 1e-20;
    console.log(JSON.stringify({ session: out.y.data[0], js: new Float32Array([a * a])[0] }));
  `;
  const r = spawnSync(process.execPath, ['--conditions=attune-source', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { session: number; js: number };
}

test('sessions flush float32 subnormals to zero by default (the slow path of masked softmax), and keep them after setFlushDenormals(false)', () => {
  const exact = new Float32Array([1e-40])[0]!;
  assert.ok(exact > 0 && exact < 1.2e-38, 'the probe value is a float32 subnormal');
  const flushed = probe('');
  assert.equal(flushed.session, 0);
  // Documented side effect: the main thread took the first session's mode.
  assert.equal(flushed.js, 0);
  const ieee = probe('setFlushDenormals(false);');
  assert.equal(ieee.session, exact);
  assert.equal(ieee.js, exact);
});
