/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all by default). Each prints
 * JSON lines; compare figures only with a reference measured on the same machine in the
 * same sitting (the VM is noisy), as the issues' reference tables are.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

/** Benchmark name → module file in bench/ and the function it exports. */
const benches: Record<string, { file: string; run: string }> = {
  engine: { file: 'engine.ts', run: 'runEngineBench' },
  primitives: { file: 'primitives.ts', run: 'runPrimitivesBench' },
  model: { file: 'model.ts', run: 'runModelBench' },
  sessions: { file: 'sessions.ts', run: 'runSessionsBench' },
  'cross-encoder': { file: 'cross-encoder.ts', run: 'runCrossEncoderBench' },
  grpo: { file: 'grpo.ts', run: 'runGrpoBench' },
  dpo: { file: 'dpo.ts', run: 'runDpoBench' },
  serve: { file: 'serve.ts', run: 'runServeBench' },
  qlora: { file: 'qlora.ts', run: 'runQloraBench' },
};

const here = dirname(fileURLToPath(import.meta.url));
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((name) => !(name in benches));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}

for (const name of requested.length ? requested : Object.keys(benches)) {
  const { file, run } = benches[name]!;
  const path = join(here, file);
  const module = (await import(pathToFileURL(path).href)) as Record<string, () => Promise<void>>;
  const fn = module[run];
  if (typeof fn !== 'function') throw new Error(`bench/${file} does not export ${run}()`);
  await fn();
}
