/** The kernel's version, from package.json: plugins may require a range of it as `attune`. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export const attuneVersion: string = pkg.version;
