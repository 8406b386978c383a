/**
 * Memory of several live sessions over the same frozen weights. A trainer holds one session per
 * program (train, eval, generation, scoring) and per (batch, seq) bucket; each loads the frozen
 * initializers from the model's safetensors (external data). This measures, on a random
 * Qwen2-shaped model of ~120 MB fp32, how resident memory grows per extra session of the same
 * program at other static dims, and per session kind, so the cost is known before GRPO adds
 * generation and scoring sessions on top.
 *
 *   npm run bench -- sessions
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { EngineSession } from '../core/engine/index.js';
import { openModelFolder } from '../core/model/index.js';
import { buildDecoderProgram, padBatch } from '../core/model/decoder/index.js';
import { stats } from './stats.js';
import { writeModel } from './model.js';

/** Resident and proportional set size (MB) from /proc: Pss counts a page shared by two mappings once. */
function memory(): { rssMb: number; pssMb: number; anonMb: number; fileMb: number } {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  const mb = (x: number): number => Math.round(x / 1024);
  return { rssMb: mb(kb('Rss')), pssMb: mb(kb('Pss')), anonMb: mb(kb('Anonymous')), fileMb: mb(kb('Rss') - kb('Anonymous')) };
}

export async function runSessionsBench(): Promise<void> {
  const config = { name: 'tiny' as const, hidden: 512, layers: 8, heads: 8, kvHeads: 4, intermediate: 1408, vocab: 8192, tied: false };
  const dir = await writeModel(config);
  const weightsMb = Math.round(readFileSync(`${dir}/model.safetensors`).byteLength / 2 ** 20);
  try {
    const folder = await openModelFolder(dir);
    const forward = buildDecoderProgram(folder, { outputs: ['lmLoss'], trainable: { kind: 'none' }, dropout: false }).program;
    // Prepacked weights are private copies per session; without prepacking every session maps
    // the same file pages (file-backed, shared), so only the first one costs the weights.
    for (const disablePrepacking of [false, true]) {
      const base = memory();
      const sessions: EngineSession[] = [];
      let forwardMs = 0;
      for (const seq of [32, 64, 96, 128]) {
        const session = await EngineSession.create(forward, { staticDims: { batch: 4, seq }, disablePrepacking });
        sessions.push(session);
        const batch = padBatch(Array.from({ length: 4 }, (_, b) => { const ids = Array.from({ length: seq }, (_, t) => (b * 131 + t * 17) % config.vocab); return { ids, labels: ids }; }), folder.config, { padId: 0 });
        await session.run(batch.feeds, { dims: batch.dims });
        const ms: number[] = [];
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          await session.run(batch.feeds, { dims: batch.dims });
          ms.push(performance.now() - t0);
        }
        forwardMs = stats(ms).min;
        const now = memory();
        console.log(JSON.stringify({ bench: 'sessions', prepacking: !disablePrepacking, sessions: sessions.length, seq, weightsMb, forwardMs: Math.round(forwardMs * 10) / 10, anonGrowthMb: now.anonMb - base.anonMb, pssGrowthMb: now.pssMb - base.pssMb, fileGrowthMb: now.fileMb - base.fileMb, rssMb: now.rssMb }));
      }
      for (const s of sessions) await s.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runSessionsBench();
