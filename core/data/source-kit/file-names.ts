/**
 * Shipped slices are named by their place in the repository (`plugins/sources/<name>/slice/…`),
 * not by this machine's absolute path, so provenance and issue reports read the same anywhere.
 */
import { relative } from 'node:path';
import { packageRoot } from '../../base/paths.js';

export function repositoryPath(file: string): string {
  return relative(packageRoot, file);
}
