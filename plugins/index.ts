/**
 * The built-in plugins. Each is an ordinary plugin written against the public API in
 * `core/kernel`; the CLI loads them before any third-party plugin.
 */
import type { PluginDefinition } from 'attune';
import { builtinRecipes } from '../recipes/index.js';
import { decodingPlugin } from './decoding/plugin.js';
import { evaluatorsPlugin } from './evaluators/plugin.js';
import { objectivesPlugin } from './objectives/plugin.js';
import { rewardsPlugin } from './rewards/plugin.js';
import { sourcesPlugin } from './sources/plugin.js';
import { trainersPlugin } from './trainers/plugin.js';

export const builtinPlugins: PluginDefinition[] = [sourcesPlugin, objectivesPlugin, rewardsPlugin, trainersPlugin, decodingPlugin, evaluatorsPlugin, builtinRecipes];
