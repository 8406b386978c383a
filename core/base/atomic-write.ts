/**
 * Atomic file writes: write a sibling temp file, flush it, then rename over the target.
 * A crash leaves either the old file or the new one, never a torn one.
 */
import { renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { mkdir, rename, rm, writeFile, open } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { makeFolders } from './file-system-errors.js';

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  makeFolders(dirname(path), 'output folder');
  const temp = tempSibling(path);
  try {
    await writeFile(temp, data);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Synchronous variant for exit paths (signal handlers) where awaiting is not possible. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  makeFolders(dirname(path), 'output folder');
  const temp = tempSibling(path);
  try {
    writeFileSync(temp, data);
    const fd = openSync(temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Publish a whole directory atomically: `fill` writes into a temp directory beside `path`,
 * which is then renamed into place (replacing an older one of the same name).
 */
export async function writeDirAtomic(path: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  makeFolders(dirname(path), 'output folder');
  const temp = tempSibling(path);
  await mkdir(temp, { recursive: true });
  try {
    await fill(temp);
    const old = `${temp}.old`;
    let replaced = false;
    try {
      await rename(path, old);
      replaced = true;
    } catch {
      // No previous directory: nothing to move aside.
    }
    await rename(temp, path);
    if (replaced) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
