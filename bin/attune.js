#!/usr/bin/env node
// The `attune` command. Sources are TypeScript run through tsx's loader, so a clone
// works without a build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

registerHooks('./source-conditions.mjs', import.meta.url);
register();
await import('../core/cli/main.ts');
