/**
 * A CounselChat answer → a `dialogue` example: the question (title, then body) as the user
 * turn, the therapist's answer as the assistant turn. Topic, therapist, upvotes and views
 * are metadata, so they reach the model only through `exposeMetadata`.
 */
import type { CanonicalExample } from 'attune/data';
import type { CounselAnswer } from './answer-row.js';
import { repairAnswerText } from './clean-text.js';

export function answerToExample(answer: CounselAnswer, split: string, repairText: boolean): CanonicalExample {
  const clean = (text: string) => (repairText ? repairAnswerText(text) : text);
  const question = [answer.title, answer.question]
    .filter((part, i, parts) => part !== '' && !(i === 1 && part === parts[0]))
    .map(clean)
    .join('\n\n');
  const metadata: CanonicalExample['metadata'] = { questionId: answer.questionId, upvotes: answer.upvotes };
  const optional = {
    topic: answer.topic,
    therapist: answer.therapist,
    therapistUrl: answer.therapistUrl,
    questionUrl: answer.questionUrl,
    views: answer.views,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) metadata[key] = value;
  return {
    id: `counselchat:${split}:${answer.questionKey}:${answer.answerNumber}`,
    kind: 'dialogue',
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: clean(answer.answer) },
    ],
    labels: {},
    metadata,
    provenance: {
      source: 'counselchat',
      split,
      file: answer.file,
      row: answer.row,
      dialogId: answer.questionKey,
      turn: answer.answerNumber,
    },
  };
}
