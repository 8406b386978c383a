/** Debian's chromium for the browser tests (playwright-core drives it; nothing is downloaded). CI installs it (.ci/run). */
import { existsSync } from 'node:fs';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((p) => p !== '' && existsSync(p));
