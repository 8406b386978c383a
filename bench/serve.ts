/**
 * Load test of `attune serve` on loopback (the embedded model), bounded in count and time: a
 * server process of its own, then throughput and p50/p99 latency (and time to first token when
 * streaming) at 1, 4 and 16 concurrent clients; the server's RSS before and after 2,000 requests;
 * 200 malformed requests, each answered 4xx, and the server healthy after them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromPackageRoot } from '../core/base/paths.js';
import { r1 } from './stats.js';

const MODEL = 'attune-tiny-qwen2';
const MAX_TOKENS = 16;
/** Per phase, whichever comes first. */
const PHASE_REQUESTS = 96;
const PHASE_SECONDS = 60;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function request(url: string, i: number, stream: boolean): Promise<{ ms: number; firstMs: number; ok: boolean }> {
  const began = performance.now();
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `I had a hard day at work, number ${i}.` }], max_tokens: MAX_TOKENS, seed: i, stream }),
  });
  let firstMs = 0;
  if (stream && r.body) {
    // Time to the first chunk with text (the role chunk comes at once).
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!firstMs && /"delta":\{"content":"[^"]/.test(decoder.decode(value, { stream: true }))) firstMs = performance.now() - began;
    }
  } else await r.text();
  return { ms: performance.now() - began, firstMs, ok: r.status === 200 };
}

async function phase(url: string, clients: number, stream: boolean, total = PHASE_REQUESTS): Promise<{ done: number; failed: number; seconds: number; latencies: number[]; firsts: number[] }> {
  const latencies: number[] = [];
  const firsts: number[] = [];
  let next = 0;
  let failed = 0;
  const began = performance.now();
  const deadline = began + PHASE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total && performance.now() < deadline) {
        const r = await request(url, next++, stream);
        if (!r.ok) failed++;
        latencies.push(r.ms);
        firsts.push(r.firstMs);
      }
    }),
  );
  return { done: latencies.length, failed, seconds: (performance.now() - began) / 1000, latencies: latencies.sort((a, b) => a - b), firsts: firsts.sort((a, b) => a - b) };
}

export async function runServeBench(): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=attune-source', '--import', 'tsx', fromPackageRoot('core', 'cli', 'main.ts'), 'serve', '--model', MODEL, '--port', '0', '--max-queue', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`attune serve exited (${code}): ${log}`)));
  });
  try {
    await request(url, 0, false); // compile the sessions
    for (const stream of [false, true]) {
      for (const clients of [1, 4, 16]) {
        const p = await phase(url, clients, stream);
        console.log(
          JSON.stringify({
            bench: 'serve.load',
            model: MODEL,
            stream,
            clients,
            requests: p.done,
            failed: p.failed,
            max_tokens: MAX_TOKENS,
            req_per_s: r1(p.done / p.seconds),
            p50_ms: Math.round(percentile(p.latencies, 0.5)),
            p99_ms: Math.round(percentile(p.latencies, 0.99)),
            ...(stream ? { first_text_p50_ms: Math.round(percentile(p.firsts, 0.5)) } : {}),
          }),
        );
      }
    }
    const before = rssMiB(child.pid!);
    const soak = await phase(url, 16, false, 2000);
    const afterRss = rssMiB(child.pid!);
    console.log(JSON.stringify({ bench: 'serve.rss', requests: soak.done, failed: soak.failed, seconds: r1(soak.seconds), rss_before_mib: r1(before), rss_after_mib: r1(afterRss) }));
    const bad = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const bodies = ['{', JSON.stringify({ model: MODEL, messages: [] }), JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 10 ** 6 })];
        const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i % bodies.length] });
        await r.text();
        return r.status;
      }),
    );
    const health = await fetch(`${url}/health`);
    console.log(JSON.stringify({ bench: 'serve.malformed', requests: bad.length, answered_4xx: bad.filter((s) => s >= 400 && s < 500).length, healthy_after: health.status === 200 }));
  } finally {
    child.kill('SIGINT');
  }
}
