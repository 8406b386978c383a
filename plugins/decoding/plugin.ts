/** The built-in decoding policies, as an ordinary plugin: items are `decoding/<name>`. */
import { definePlugin } from 'attune';
import { xmlReasoningPolicy } from './xml-reasoning/index.js';

export const decodingPlugin = definePlugin({
  name: 'decoding',
  version: '0.1.0',
  register(ctx) {
    ctx.decoding.register('xml-reasoning', xmlReasoningPolicy);
  },
});
