/** The example's emotion label: the conversation's ED-32 `context`, or its GoEmotions mapping. */
import type { EmotionLabel } from '../../../core/data/example.js';
import { ed32Taxonomy, edToGoEmotions, goEmotionsTaxonomy } from '../../../core/data/labels/index.js';

export type EdEmotionLabels = 'ed-32' | 'goemotions-28';

export function emotionLabel(edEmotion: string, labels: EdEmotionLabels): EmotionLabel {
  if (labels === 'ed-32') return { taxonomy: ed32Taxonomy, label: edEmotion };
  return { taxonomy: goEmotionsTaxonomy, label: edToGoEmotions(edEmotion)! };
}
