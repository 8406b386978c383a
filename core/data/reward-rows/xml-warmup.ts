/**
 * Supervised warm-up targets in the XML reasoning format, built from the data: for each prompt
 * (a turn answered in the data), the reply is `<reasoning>…</reasoning><answer>…</answer>` with
 * reasoning written from the answered turn's annotations (WASSA: emotion intensity and empathy,
 * 0–5, means of three annotators) and the data's own answer (`metadata.reference`) as the answer.
 * A policy too small to follow the format from instructions learns it here before GRPO.
 */
import type { CanonicalExample, Message } from '../example.js';
import { labelAt } from './example-text.js';

const level = (score: number): string => (score >= 3.5 ? 'strong' : score >= 2 ? 'moderate' : 'mild');

/** The reasoning text for one prompt: what its labels say about the speaker and how to answer. */
export function warmupReasoning(example: CanonicalExample): string {
  const emotion = labelAt(example, 'scores.emotion');
  const empathy = labelAt(example, 'scores.empathy');
  const parts: string[] = [];
  if (typeof emotion === 'number') parts.push(`They show ${level(emotion)} emotion (${emotion.toFixed(1)} of 5).`);
  if (typeof empathy === 'number') parts.push(`Their own turn is ${level(empathy)} in empathy (${empathy.toFixed(1)} of 5).`);
  parts.push(typeof emotion === 'number' && emotion >= 2 ? 'I should acknowledge how they feel before anything else.' : 'I should answer what they said, warmly and briefly.');
  return parts.join(' ');
}

/**
 * Dialogue examples for the warm-up: `prompt(messages)` (the decoding policy's own prompt, so the
 * warm-up sees exactly what GRPO will) followed by the XML reply. Prompts without a reference answer are skipped.
 */
export function xmlWarmupExamples(prompts: readonly CanonicalExample[], prompt: (messages: readonly Message[]) => Message[]): CanonicalExample[] {
  const out: CanonicalExample[] = [];
  for (const example of prompts) {
    const reference = example.metadata.reference;
    if (typeof reference !== 'string' || reference.trim() === '') continue;
    const reply = `<reasoning>${warmupReasoning(example)}</reasoning><answer>${reference.trim()}</answer>`;
    out.push({ ...example, id: `${example.id}:xml`, kind: 'dialogue', messages: [...prompt(example.messages), { role: 'assistant', content: reply }] });
  }
  return out;
}
