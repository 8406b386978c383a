/** The example's emotion label: the conversation's ED-32 `context`, or its GoEmotions mapping. */
import { ed32Taxonomy, edToGoEmotions, goEmotionsTaxonomy } from 'attune/data';
import type { EmotionLabel } from 'attune/data';

export type EdEmotionLabels = 'ed-32' | 'goemotions-28';

export function emotionLabel(edEmotion: string, labels: EdEmotionLabels): EmotionLabel {
  if (labels === 'ed-32') return { taxonomy: ed32Taxonomy, label: edEmotion };
  return { taxonomy: goEmotionsTaxonomy, label: edToGoEmotions(edEmotion)! };
}
