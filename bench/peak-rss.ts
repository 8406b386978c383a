/**
 * This process's peak resident set, MB. On Linux it is VmHWM from /proc/self/status: getrusage's
 * maxRSS survives exec, so a child spawned by a large parent (the qlora bench's variants, started
 * from `npm run bench` after other benches) reports the parent's peak as its own — measured: a
 * child of a 1.5 GB parent read maxRSS 1,504 MB, VmHWM 43 MB. Elsewhere, maxRSS.
 */
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // Not Linux: fall through.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
