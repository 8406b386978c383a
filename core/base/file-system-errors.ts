/**
 * Errors the operating system raises about a path (a read-only disk, a file where a folder
 * should be, a full disk) are the user's to fix, not bugs: they get the path, the reason in
 * words and what to do, instead of `Error: ENOTDIR: not a directory, scandir …` and a trace.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AttuneError } from './errors.js';

const REASONS: Record<string, [reason: string, hint: string]> = {
  EACCES: ['permission denied', 'Check the permissions of the path, or choose a location you can write to.'],
  EPERM: ['operation not permitted', 'Check the permissions of the path, or choose another location.'],
  EROFS: ['the file system is read-only', 'Choose a location on a writable disk.'],
  ENOSPC: ['the disk is full', 'Free some space or choose another disk; nothing already finished was overwritten.'],
  EDQUOT: ['the disk quota is exhausted', 'Free some space or choose another disk.'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'Check the path: a folder is expected where a file is.'],
  EISDIR: ['it is a folder, not a file', 'Name a file, not a folder.'],
  ENOENT: ['no such file or folder', 'Check the path; folders on it must exist (and be real folders, not /proc or /sys entries).'],
  EEXIST: ['something already exists there', 'Choose another path, or remove what is there.'],
  ENAMETOOLONG: ['the path is too long', 'Choose a shorter path.'],
  EMFILE: ['too many open files', 'Raise the limit (ulimit -n) or run fewer things at once.'],
};

interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
}

export function isFileSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as SystemError).code === 'string' && (error as SystemError).code in REASONS && typeof (error as SystemError).path === 'string';
}

/** The AttuneError a system error about a path reads as. */
export function describeFileSystemError(error: SystemError): AttuneError {
  const [reason, hint] = REASONS[error.code]!;
  const verb = error.syscall ? `${error.syscall} ` : 'use ';
  const other = (error as { dest?: string }).dest ? ` → ${(error as { dest?: string }).dest}` : '';
  return new AttuneError(`cannot ${verb}${error.path}${other}: ${reason} (${error.code})`, hint);
}

/**
 * `mkdir -p` that cannot loop: Node's recursive mkdir retries forever where creating a folder
 * fails with ENOENT although its parent exists (/proc, /sys). Folders are made one at a time
 * and every failure is a located AttuneError; `what` names the path for people (`--out`).
 */
export function makeFolders(path: string, what: string): void {
  const full = resolve(path);
  const missing: string[] = [];
  let current = full;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (existsSync(current) && !statSync(current).isDirectory()) {
    throw new AttuneError(`${what} ${path}: ${current} is a file, not a folder.`, 'Choose a path whose folders are folders.');
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if (isFileSystemError(error)) {
        const [reason, hint] = REASONS[error.code]!;
        throw new AttuneError(`${what} ${path}: cannot create the folder ${dir}: ${reason} (${error.code})`, hint);
      }
      throw error;
    }
  }
}
