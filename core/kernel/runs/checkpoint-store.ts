/**
 * Checkpoints of a run: `checkpoints/step-000120/` directories, each published atomically
 * (written beside, then renamed), with `checkpoints/latest.json` pointing at the newest
 * complete one. A crash mid-save leaves the previous checkpoint intact and current.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../../base/atomic-write.js';

export interface CheckpointInfo {
  step: number;
  path: string;
  /** Stage the checkpoint belongs to (multi-stage recipes resume inside the right stage). */
  stage: string;
}

const stepDirName = (stage: string, step: number): string => `${stage}-step-${String(step).padStart(6, '0')}`;

export class CheckpointStore {
  constructor(
    readonly dir: string,
    /** Keep this many newest checkpoints (0 keeps all). */
    private readonly keepLast = 2,
  ) {}

  async save(stage: string, step: number, fill: (dir: string) => Promise<void>): Promise<CheckpointInfo> {
    const path = join(this.dir, stepDirName(stage, step));
    await writeDirAtomic(path, fill);
    const info: CheckpointInfo = { step, path, stage };
    await writeJsonAtomic(join(this.dir, 'latest.json'), { step, stage, dir: stepDirName(stage, step) });
    await this.prune();
    return info;
  }

  latest(): CheckpointInfo | undefined {
    const pointer = join(this.dir, 'latest.json');
    if (!existsSync(pointer)) return undefined;
    const { step, stage, dir } = JSON.parse(readFileSync(pointer, 'utf8')) as { step: number; stage: string; dir: string };
    const path = join(this.dir, dir);
    return existsSync(path) ? { step, stage, path } : undefined;
  }

  list(): CheckpointInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^.+-step-\d+$/.test(e.name))
      .map((e) => {
        const match = /^(.+)-step-(\d+)$/.exec(e.name)!;
        return { stage: match[1]!, step: Number(match[2]), path: join(this.dir, e.name) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  private async prune(): Promise<void> {
    if (this.keepLast <= 0) return;
    const latest = this.latest();
    const all = this.list().filter((c) => c.path !== latest?.path);
    const excess = all.slice(0, Math.max(0, all.length - (this.keepLast - 1)));
    for (const old of excess) await rm(old.path, { recursive: true, force: true });
  }
}
