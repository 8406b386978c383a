/**
 * One process per run directory: `run.lock` holds the pid, host and start time of the process
 * running it. A second `run --resume` of the same directory is refused with the holder named; a
 * lock whose process is gone (same host, pid not alive) is stale and taken over, with a warning.
 * The lock is created with O_EXCL, so two processes starting at once cannot both win.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RecipeError } from '../../base/errors.js';

export const RUN_LOCK = 'run.lock';

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host, startedAt: String(value.startedAt ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the run directory's lock; returns its release and any warning to report. */
export function acquireRunLock(runDir: string): { release(): void; warning?: string } {
  const path = join(runDir, RUN_LOCK);
  let warning: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
      closeSync(fd);
      return {
        release: () => {
          if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
        },
        ...(warning ? { warning } : {}),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (holder && holder.host !== hostname()) {
      throw new RecipeError(`Run ${runDir} is locked by process ${holder.pid} on host ${holder.host} (since ${holder.startedAt}).`, `If that run is no longer going, delete ${path} and try again.`);
    }
    if (holder && holder.pid !== process.pid && alive(holder.pid)) {
      throw new RecipeError(`Run ${runDir} is in use by process ${holder.pid} (since ${holder.startedAt}); two processes would interleave its metrics and checkpoints.`, `Wait for it to end or stop it (kill -INT ${holder.pid}), then resume.`);
    }
    warning = holder ? `took over a stale lock of process ${holder.pid} (started ${holder.startedAt}, no longer running)` : `replaced an unreadable ${RUN_LOCK}`;
    if (existsSync(path)) rmSync(path, { force: true });
  }
  throw new RecipeError(`Could not lock ${runDir}: another process keeps taking ${path}.`, 'Check for other attune processes on this run.');
}
