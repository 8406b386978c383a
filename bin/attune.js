#!/usr/bin/env node
// The `attune` command. Sources are TypeScript run through tsx's loader, so a clone
// works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/main.ts');
