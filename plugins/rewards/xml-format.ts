/**
 * `rewards/xml-format`: does a completion follow `<reasoning>…</reasoning><answer>…</answer>`?
 *   strict  1 when the whole completion is exactly that (whitespace around the blocks allowed), else 0;
 *   graded  0.25 for each of the four tags that appears exactly once, plus 0 or −0.25 for anything
 *           but whitespace after `</answer>` (floored at 0): partial credit while a policy learns the format.
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import type { Reward } from 'attune';

const tagName = z.string().regex(/^[A-Za-z][\w-]*$/, 'a tag name: letters, digits, _ or -');

const options = z.strictObject({
  mode: z.enum(['strict', 'graded']).default('strict'),
  reasoningTag: tagName.default('reasoning'),
  answerTag: tagName.default('answer'),
});

export function xmlFormatScore(text: string, o: z.output<typeof options>): number {
  const [r, a] = [o.reasoningTag, o.answerTag];
  if (o.mode === 'strict') {
    const strict = new RegExp(`^\\s*<${r}>[\\s\\S]*?</${r}>\\s*<${a}>[\\s\\S]*?</${a}>\\s*$`);
    const once = (tag: string) => text.split(tag).length === 2;
    return strict.test(text) && [`<${r}>`, `</${r}>`, `<${a}>`, `</${a}>`].every(once) ? 1 : 0;
  }
  let score = 0;
  for (const tag of [`<${r}>`, `</${r}>`, `<${a}>`, `</${a}>`]) if (text.split(tag).length === 2) score += 0.25;
  const close = text.lastIndexOf(`</${a}>`);
  if (close >= 0 && text.slice(close + a.length + 3).trim() !== '') score -= 0.25;
  return Math.max(0, score);
}

export const xmlFormatReward = defineItem({
  description: 'rewards completions laid out as <reasoning>…</reasoning><answer>…</answer> (strict 1/0, or graded)',
  options,
  create: (o): Reward => ({ score: ({ completions }) => completions.map((c) => xmlFormatScore(c.text, o)) }),
});
