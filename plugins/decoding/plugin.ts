/** The built-in decoding policies, as an ordinary plugin: items are `decoding/<name>`. */
import { definePlugin } from 'attune';
import { reflectionPolicy } from './reflection/index.js';
import { safetyControllerPolicy } from './safety-controller/index.js';
import { samplingPolicy } from './sampling.js';
import { xmlReasoningPolicy } from './xml-reasoning/index.js';

export const decodingPlugin = definePlugin({
  name: 'decoding',
  version: '0.1.0',
  register(ctx) {
    ctx.decoding.register('sampling', samplingPolicy);
    ctx.decoding.register('xml-reasoning', xmlReasoningPolicy);
    ctx.decoding.register('safety-controller', safetyControllerPolicy);
    ctx.decoding.register('reflection', reflectionPolicy);
  },
});
