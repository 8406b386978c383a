/** Where Attune itself is installed: shipped configs, slices and the embedded model live here. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fromPackageRoot(...parts: string[]): string {
  return join(packageRoot, ...parts);
}
