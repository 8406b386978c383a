/**
 * The built-in dataset sources, as an ordinary plugin: items are `sources/<name>`.
 */
import { definePlugin } from 'attune';
import { annomiSource } from './annomi/index.js';
import { counselChatSource } from './counselchat/index.js';
import { edSource } from './ed/index.js';
import { esconvSource } from './esconv/index.js';
import { goEmotionsSource } from './goemotions/index.js';
import { wassaSource } from './wassa/index.js';
import { annomiPairsSource } from './preferences/annomi-pairs.js';
import { counselChatPairsSource } from './preferences/counselchat-pairs.js';
import { datasetSource } from './dataset.js';
import { preferenceFileSource } from './preferences/preference-file.js';

export const sourcesPlugin = definePlugin({
  name: 'sources',
  version: '0.1.0',
  register(ctx) {
    ctx.sources.register('ed', edSource);
    ctx.sources.register('esconv', esconvSource);
    ctx.sources.register('goemotions', goEmotionsSource);
    ctx.sources.register('wassa', wassaSource);
    ctx.sources.register('counselchat', counselChatSource);
    ctx.sources.register('annomi', annomiSource);
    ctx.sources.register('counselchat-pairs', counselChatPairsSource);
    ctx.sources.register('annomi-pairs', annomiPairsSource);
    ctx.sources.register('preference-file', preferenceFileSource);
    ctx.sources.register('dataset', datasetSource);
  },
});
