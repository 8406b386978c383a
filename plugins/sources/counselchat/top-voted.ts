/**
 * Keeps one answer per question: the most upvoted; ties go to the more viewed answer, then
 * to the one earlier in the file (so the choice is deterministic).
 */
import type { CounselAnswer } from './answer-row.js';

export function topVotedPerQuestion(answers: readonly CounselAnswer[]): CounselAnswer[] {
  const best = new Map<string, CounselAnswer>();
  for (const answer of answers) {
    const current = best.get(answer.questionKey);
    if (!current || isBetter(answer, current)) best.set(answer.questionKey, answer);
  }
  const kept = new Set(best.values());
  return answers.filter((answer) => kept.has(answer));
}

function isBetter(candidate: CounselAnswer, current: CounselAnswer): boolean {
  if (candidate.upvotes !== current.upvotes) return candidate.upvotes > current.upvotes;
  return (candidate.views ?? 0) > (current.views ?? 0);
}
