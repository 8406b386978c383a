/**
 * Parses a `<reasoning>…</reasoning><answer>…</answer>` reply. Models get the format wrong in
 * predictable ways, and each way has one defined outcome (counted by the caller):
 *   ok            one reasoning block, then one answer block            answer = its body
 *   no-reasoning  an answer block without a reasoning block             answer = its body
 *   duplicated    more than one answer block                             answer = the first body
 *   unclosed      `<answer>` opened and never closed (often truncation)  answer = null
 *   missing       no `<answer>` at all                                   answer = null
 * `shown` is what a user sees: the answer, or — with none — the text with the reasoning block and
 * every tag removed (never the reasoning itself).
 */
export type XmlStatus = 'ok' | 'no-reasoning' | 'duplicated' | 'unclosed' | 'missing';

export interface ParsedXmlReply {
  readonly status: XmlStatus;
  readonly answer: string | null;
  readonly reasoning: string | null;
  readonly shown: string;
}

const ANSWER = /<answer>([\s\S]*?)<\/answer>/g;
const REASONING = /<reasoning>([\s\S]*?)<\/reasoning>/;

export function parseXmlReply(text: string): ParsedXmlReply {
  const answers = [...text.matchAll(ANSWER)].map((m) => (m[1] as string).trim());
  const reasoningMatch = REASONING.exec(text);
  const reasoning = reasoningMatch ? (reasoningMatch[1] as string).trim() : null;
  if (answers.length === 0) {
    const status: XmlStatus = text.includes('<answer>') ? 'unclosed' : 'missing';
    const stripped = text.replace(/<reasoning>[\s\S]*?(<\/reasoning>|$)/g, '').replace(/<\/?(reasoning|answer)>/g, '').trim();
    return { status, answer: null, reasoning, shown: stripped };
  }
  const answer = answers[0] as string;
  const status: XmlStatus = answers.length > 1 ? 'duplicated' : reasoning === null ? 'no-reasoning' : 'ok';
  return { status, answer, reasoning, shown: answer };
}
