/** The kernel's version, from package.json: plugins may require a range of it as `attune`. */
import { readFileSync } from 'node:fs';
import { fromPackageRoot } from '../base/paths.js';

// Read through packageRoot, so it is the same file from the sources and from dist/.
const pkg = JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as { version: string };

export const attuneVersion: string = pkg.version;
