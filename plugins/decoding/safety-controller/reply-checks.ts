/**
 * Checks on a reply the crisis path generated, sentence by sentence, and the repair: sentences
 * that probe with a question, minimise or invalidate, invent a shared memory, give instructions
 * or mention a method are dropped; one escalation is kept (or added); a reply left with no
 * acknowledgement is replaced by the vetted template.
 */
import { normalizeText } from './risk-detector.js';

export type Violation = 'question' | 'minimising' | 'invented-memory' | 'instruction' | 'method' | 'tone' | 'endorsing' | 'off-topic' | 'fragment';

export interface SentenceCheck {
  readonly sentence: string;
  readonly violations: readonly Violation[];
  readonly escalation: boolean;
}

export interface ReplyCheck {
  readonly sentences: readonly SentenceCheck[];
  /** Every violation found, in order, with its sentence. */
  readonly violations: readonly { kind: Violation; sentence: string }[];
  readonly escalations: number;
  readonly acknowledges: boolean;
  /** Nothing to repair: no violation, exactly one escalation, an acknowledgement. */
  readonly ok: boolean;
}

const RULES: readonly { kind: Violation; pattern: RegExp }[] = [
  {
    kind: 'question',
    pattern: /\?|^(?:(?:why|how|what|when|where|which|who) (?:do|did|does|are|is|was|were|have|has|can|could|would|will|should)|have you|do you|did you|are you|were you|can you|could you|would you|will you|is there|tell me (?:more|about|how|what|why))\b/,
  },
  {
    kind: 'minimising',
    pattern:
      /\b(?:not that bad|could be worse|others have it worse|worse off|at least|calm down|cheer up|snap out of|get over it|move on|shouldn't feel|should not feel|don't be (?:sad|silly|dramatic|so)|overreacting|over-reacting|all in your head|everything happens for a reason|think positive|bright side|stop (?:feeling|being|thinking)|not a big deal|no big deal|attention[- ]seeking|you'll be fine|it's just a phase|everyone feels that way|toughen up|man up)\b/,
  },
  {
    kind: 'invented-memory',
    pattern:
      /\b(?:remember when|remember (?:that|the) time|like (?:the|that) time (?:we|you)|we talked about|last time we|as (?:we|i) (?:discussed|said|mentioned)|you told me (?:before|last|about)|i remember (?:you|when)|we've been through|when we (?:met|first|last)|our (?:chat|talk|conversation) (?:last|yesterday))\b/,
  },
  {
    kind: 'instruction',
    pattern:
      /\b(?:you should|you need to|you have to|you must|you ought to|try to|try (?:doing|going|taking|writing|breathing)|go for|go to (?:bed|sleep|the gym)|just (?:do|go|try|take|stop|relax|breathe)|make sure|don't forget to|take a (?:walk|bath|deep|break|nap)|drink (?:some|water|tea)|exercise|meditat|instead of|the best thing (?:to do|is)|here's what|step \d|first,|second,|1\.|2\.)/,
  },
  // Cheerful or congratulating words read as mockery to someone in crisis ("glad you told me" is fine).
  { kind: 'tone', pattern: /\b(?:great|good|happy|happier|welcome|fun|awesome|nice|congrat\w*|exciting|excited|lucky|wonderful|perfect|enjoy\w*|better|confident|proud|hope you have)\b|\bglad\b(?! you (?:told|reached|shared|said|wrote|felt able))/ },
  { kind: 'endorsing', pattern: /\b(?:idea|give up|go ahead|do it|go through with|understandable (?:choice|decision)|right (?:choice|decision)|your (?:choice|decision))\b/ },
  { kind: 'method', pattern: /\b(?:pills?|overdose|dose|rope|noose|gun|firearm|knife|blade|razor|bridge|jump(?:ing)? (?:off|from)|hang(?:ing)?|bleach|poison|cut(?:ting)? (?:deep|your wrist)|wrists?)\b/ },
];

/** Trusted people or professional help, named as somewhere to turn. */
const ESCALATION = /\b(?:reach out|talk to|speak (?:to|with)|call|text|contact|lean on)\b.*\b(?:someone you trust|trusted|friend|family|professional|therapist|counsel(?:l)?or|doctor|gp|helpline|hotline|crisis (?:line|service|team)|lifeline|samaritans|988|emergency|\d{3})/;
const ACKNOWLEDGE = /\b(?:sorry|sounds|hear (?:you|that|how)|thank you for (?:telling|sharing|being)|glad you told|makes sense|understand(?:able)?|must (?:be|feel)|you're feeling|you are feeling|that's (?:so )?(?:hard|painful|heavy|a lot)|not your fault|heavy|i'm here|i am here)\b/;

/** A crisis reply stays short: this many acknowledging sentences, then the escalation. */
const MAX_ACKNOWLEDGEMENTS = 2;

export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[.!?])\s+(?=["'(]?[A-Z0-9])|(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function checkCrisisReply(reply: string): ReplyCheck {
  const sentences: SentenceCheck[] = splitSentences(reply).map((sentence) => {
    const n = normalizeText(sentence);
    const escalation = ESCALATION.test(n);
    const violations = RULES.filter((r) => !(escalation && r.kind === 'instruction') && r.pattern.test(n)).map((r) => r.kind);
    // A crisis reply says two things: that the person is heard, and where to turn. Anything else goes.
    if (!escalation && !ACKNOWLEDGE.test(n)) violations.push('off-topic');
    // An unfinished or two-word sentence is not something to show a person in crisis.
    if (!/[.!?]["')]?$/.test(sentence) || sentence.split(/\s+/).length < 4) violations.push('fragment');
    return { sentence, violations, escalation: escalation && violations.length === 0 };
  });
  const violations = sentences.flatMap((s) => s.violations.map((kind) => ({ kind, sentence: s.sentence })));
  const escalations = sentences.filter((s) => s.escalation).length;
  const acknowledges = sentences.some((s) => s.violations.length === 0 && !s.escalation && ACKNOWLEDGE.test(normalizeText(s.sentence)));
  return { sentences, violations, escalations, acknowledges, ok: violations.length === 0 && escalations === 1 && acknowledges };
}

export interface Repair {
  /** The reply after repair, or null when too little was left: use the vetted template. */
  readonly reply: string | null;
  /** What was done, for the intervention's reason ("dropped 1 question; added the escalation"). */
  readonly actions: readonly string[];
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Drops violating sentences and extra escalations, adds the escalation when missing. */
export function repairCrisisReply(check: ReplyCheck, escalation: string): Repair {
  const actions: string[] = [];
  const byKind = new Map<Violation, number>();
  for (const v of check.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
  const dropped = check.sentences.filter((s) => s.violations.length > 0).length;
  if (dropped > 0) actions.push(`dropped ${count(dropped, 'sentence')} (${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ')})`);
  const kept = check.sentences.filter((s) => s.violations.length === 0);
  let escalations = 0;
  let acknowledgements = 0;
  const body = kept.filter((s) => (s.escalation ? ++escalations === 1 : ++acknowledgements <= MAX_ACKNOWLEDGEMENTS));
  if (escalations > 1) actions.push(`kept 1 of ${escalations} escalations`);
  if (acknowledgements > MAX_ACKNOWLEDGEMENTS) actions.push(`kept ${MAX_ACKNOWLEDGEMENTS} of ${acknowledgements} acknowledging sentences`);
  if (!body.some((s) => !s.escalation && ACKNOWLEDGE.test(normalizeText(s.sentence)))) return { reply: null, actions: [...actions, 'no acknowledgement left'] };
  const text = body.map((s) => s.sentence);
  if (escalations === 0) {
    text.push(escalation);
    actions.push('added the escalation');
  }
  return { reply: text.join(' '), actions };
}
