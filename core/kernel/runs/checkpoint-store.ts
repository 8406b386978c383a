/**
 * Checkpoints of a run: `checkpoints/<stage>-step-000120/` directories, each published atomically
 * (written beside, then renamed) with a `checkpoint.json` listing every file's size and sha256,
 * and `checkpoints/latest.json` pointing at the newest. Resume takes the newest checkpoint that
 * verifies: when `latest.json` is missing, dangling or points at a damaged checkpoint, the
 * directory is scanned and the store says which checkpoint it fell back to, and why. Temporary
 * directories a killed save left behind are removed when the store opens.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../../base/atomic-write.js';

export interface CheckpointInfo {
  step: number;
  path: string;
  /** Stage the checkpoint belongs to (multi-stage recipes resume inside the right stage). */
  stage: string;
}

export interface ResumePoint {
  /** The newest checkpoint that verified; absent when none did. */
  checkpoint?: CheckpointInfo;
  /** What was passed over on the way, one line each (to log). */
  notes: string[];
}

export const CHECKPOINT_MANIFEST = 'checkpoint.json';
const LEGACY = 'legacy';

interface Manifest {
  version: 1;
  stage: string;
  step: number;
  /** Saves in this run so far: orders checkpoints across stages. */
  sequence: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

const stepDirName = (stage: string, step: number): string => `${stage}-step-${String(step).padStart(6, '0')}`;
const STEP_DIR = /^(.+)-step-(\d+)$/;

async function filesUnder(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, root)));
    else out.push(relative(root, path));
  }
  return out.sort();
}

/** Streamed, so a multi-gigabyte optimizer state is never held in memory to be hashed. */
async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class CheckpointStore {
  constructor(
    readonly dir: string,
    /** Keep this many newest checkpoints (0 keeps all). */
    private readonly keepLast = 2,
  ) {
    this.removeTemporaries();
  }

  async save(stage: string, step: number, fill: (dir: string) => Promise<void>): Promise<CheckpointInfo> {
    const path = join(this.dir, stepDirName(stage, step));
    const sequence = Math.max(0, ...this.list().map((c) => this.readManifest(c.path)?.sequence ?? 0)) + 1;
    await writeDirAtomic(path, async (temp) => {
      await fill(temp);
      const files: Manifest['files'] = {};
      for (const file of await filesUnder(temp)) files[file] = { bytes: (await stat(join(temp, file))).size, sha256: await sha256(join(temp, file)) };
      const manifest: Manifest = { version: 1, stage, step, sequence, files };
      await writeJsonAtomic(join(temp, CHECKPOINT_MANIFEST), manifest);
    });
    const info: CheckpointInfo = { step, path, stage };
    await writeJsonAtomic(join(this.dir, 'latest.json'), { step, stage, dir: stepDirName(stage, step) });
    await this.prune(path);
    return info;
  }

  /** The newest checkpoint that verifies, and what was passed over. */
  async resumePoint(): Promise<ResumePoint> {
    const notes: string[] = [];
    const pointed = this.pointer(notes);
    const candidates = this.list()
      .map((c) => ({ ...c, sequence: this.readManifest(c.path)?.sequence ?? 0 }))
      .sort((a, b) => b.sequence - a.sequence || b.step - a.step);
    const ordered = pointed ? [pointed, ...candidates.filter((c) => c.path !== pointed.path)] : candidates;
    for (const candidate of ordered) {
      const problem = await this.verify(candidate.path);
      if (problem === LEGACY) notes.push(`${candidate.path} has no ${CHECKPOINT_MANIFEST} (saved by an older Attune): taken without verifying its files`);
      if (!problem || problem === LEGACY) {
        if (candidate !== pointed && (pointed || notes.length > 0)) notes.push(`resuming from ${candidate.path}, the newest checkpoint that verifies`);
        return { checkpoint: { step: candidate.step, stage: candidate.stage, path: candidate.path }, notes };
      }
      notes.push(`skipped ${candidate.path}: ${problem}`);
    }
    if (ordered.length > 0) notes.push('no checkpoint verifies; starting from step 0');
    return { notes };
  }

  /** Why a checkpoint cannot be trusted, undefined when every file matches its manifest, or 'legacy' when it has none. */
  async verify(path: string): Promise<string | undefined> {
    const manifestFile = join(path, CHECKPOINT_MANIFEST);
    // Saves publish a directory only when complete, so a missing manifest means an older Attune wrote it.
    if (!existsSync(manifestFile)) return LEGACY;
    const manifest = this.readManifest(path);
    if (!manifest) return `${CHECKPOINT_MANIFEST} is not valid`;
    for (const [file, expected] of Object.entries(manifest.files)) {
      const full = join(path, file);
      if (!existsSync(full)) return `${file} is missing`;
      const bytes = (await stat(full)).size;
      if (bytes !== expected.bytes) return `${file} has ${bytes} bytes, ${expected.bytes} were written`;
      if ((await sha256(full)) !== expected.sha256) return `${file} does not match its checksum`;
    }
    return undefined;
  }

  list(): CheckpointInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && STEP_DIR.test(e.name))
      .map((e) => {
        const match = STEP_DIR.exec(e.name)!;
        return { stage: match[1]!, step: Number(match[2]), path: join(this.dir, e.name) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /** latest.json's checkpoint when it parses and exists; otherwise a note says what was wrong. */
  private pointer(notes: string[]): CheckpointInfo | undefined {
    const file = join(this.dir, 'latest.json');
    if (!existsSync(file)) {
      if (this.list().length > 0) notes.push(`${file} is missing; scanning ${this.dir}`);
      return undefined;
    }
    try {
      const { step, stage, dir } = JSON.parse(readFileSync(file, 'utf8')) as { step: unknown; stage: unknown; dir: unknown };
      if (typeof step !== 'number' || typeof stage !== 'string' || typeof dir !== 'string' || dir.includes('/') || dir.includes('..')) throw new Error('expected { step, stage, dir }');
      const path = join(this.dir, dir);
      if (!existsSync(path)) {
        notes.push(`${file} points at ${dir}, which does not exist; scanning ${this.dir}`);
        return undefined;
      }
      return { step, stage, path };
    } catch (error) {
      notes.push(`${file} is unreadable (${(error as Error).message}); scanning ${this.dir}`);
      return undefined;
    }
  }

  private readManifest(path: string): Manifest | undefined {
    try {
      const m = JSON.parse(readFileSync(join(path, CHECKPOINT_MANIFEST), 'utf8')) as Manifest;
      return m.version === 1 && typeof m.files === 'object' && m.files !== null ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /** Directories and files of saves killed mid-write (`.<name>.<pid>….tmp`, and their `.old`). */
  private removeTemporaries(): void {
    if (!existsSync(this.dir) || !statSync(this.dir).isDirectory()) return;
    for (const entry of readdirSync(this.dir)) if (/^\..+\.tmp(\.old)?$/.test(entry)) rmSync(join(this.dir, entry), { recursive: true, force: true });
  }

  /** Drops the oldest checkpoints beyond `keepLast`, never `latest` (the one just saved). */
  private async prune(latest: string): Promise<void> {
    if (this.keepLast <= 0) return;
    const all = this.list().filter((c) => c.path !== latest);
    const ordered = all.map((c) => ({ ...c, sequence: this.readManifest(c.path)?.sequence ?? 0 })).sort((a, b) => a.sequence - b.sequence || a.step - b.step);
    const excess = ordered.slice(0, Math.max(0, ordered.length - (this.keepLast - 1)));
    for (const old of excess) await rm(old.path, { recursive: true, force: true });
  }
}
