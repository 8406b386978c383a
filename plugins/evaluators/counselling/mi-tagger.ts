/**
 * A rule-based tagger of motivational-interviewing techniques in a counsellor's utterance,
 * sentence by sentence (MITI's codes, as surface patterns):
 * - questions, open (what, how, why, tell me…) or closed (do/are/can… you, tag questions);
 * - reflections, simple (restating: "you feel…", "so you're saying…") or complex (adding meaning
 *   or feeling: "part of you…", "on one hand…", "it sounds like you're afraid…");
 * - affirmations ("that took courage", "you've worked hard") and summaries ("let me see if I
 *   have this right…");
 * - input (information, advice, options) and other (greetings, fillers).
 * The utterance's main behaviour follows AnnoMI's label set: question if it asks one, else
 * reflection, else therapist_input, else other. Agreement with AnnoMI's annotations is measured,
 * not assumed (test/evaluators/counselling.test.ts, scripts/mi-tagger-agreement.ts).
 */
export type MainBehaviour = 'question' | 'reflection' | 'therapist_input' | 'other';

export interface MiTags {
  readonly openQuestions: number;
  readonly closedQuestions: number;
  readonly simpleReflections: number;
  readonly complexReflections: number;
  readonly affirmations: number;
  readonly summaries: number;
  readonly inputs: number;
  readonly sentences: number;
  readonly main: MainBehaviour;
  /** AnnoMI's subtype of the main behaviour: open/closed for a question, simple/complex for a reflection. */
  readonly subtype?: 'open' | 'closed' | 'simple' | 'complex';
}

const OPEN = /^(?:(?:so|and|but|well|okay|ok|now),?\s+)?(?:what|how|why|tell me|describe|in what way|help me understand|talk (?:to me )?about|walk me through|where do you|when do you|what's|how's|how'd)\b/;
const CLOSED = /^(?:(?:so|and|but|well|okay|ok|now),?\s+)?(?:do|does|did|is|are|was|were|can|could|would|will|have|has|had|should|may|might|am|shall|any|anything|isn't|aren't|don't|didn't|won't|wouldn't|haven't)\b/;
const REFLECTION = /^(?:(?:so|and|but|well|okay|ok|yeah|mm-hmm|right),?\s+)*(?:(?:it )?sounds like|(?:it )?seems (?:like|that|as if)|you(?:'re| are) (?:feeling|saying|wondering|worried|afraid|concerned|not sure|unsure|thinking|hoping|frustrated|tired|ready|struggling)|you (?:feel|felt|think|believe|want|wish|worry|wonder|seem|don't|do not|can't|really|also|see|know|would like|'d like)|you've (?:been|had|got|decided|noticed)|for you|your (?:concern|worry|sense)|part of you|on (?:the )?one hand|what i(?:'m| am) hearing|i(?:'m| am) hearing|i hear (?:that |you)|i get the sense|i sense|in other words)\b/;
const COMPLEX = /\b(?:part of you|on (?:the )?one hand|on the other hand|even though|and yet|at the same time|as if|it's like|almost like|really|deep down|afraid|scared|worried|hoping|torn|frustrat\w*|hurt\w*|lonely|overwhelm\w*|important to you|matters to you|you value|you care|what you want is|feel(?:ing|s)?)\b/;
const AFFIRM = /\b(?:that took (?:a lot of )?(?:courage|strength|guts)|you(?:'ve| have) (?:worked|done|made|shown|managed|come a long way|already)|good for you|well done|i (?:really )?appreciate|(?:that's|that is|it's|it is) (?:great|impressive|wonderful|a big step|an accomplishment)|you(?:'re| are) (?:clearly|really|obviously) (?:committed|determined|strong|resourceful)|thank you for (?:sharing|being (?:so )?honest|telling))\b/;
const SUMMARY = /\b(?:let me (?:see if i|summari[sz]e|make sure i)|to summari[sz]e|so far (?:you've|we've)|if i(?:'ve| have) got (?:this|it) right|from what (?:i've|i have) heard|(?:so )?let me (?:pull|put) (?:this|it) together|a (?:few|couple of) things (?:you've|i've) (?:said|heard))\b/;
const WONDER = /^(?:(?:so|and|but|well|okay|ok|now|um|uh|yeah),?\s+)*(?:i(?:'m| am)? wonder(?:ing)?|i was wondering|(?:maybe |perhaps )?(?:you )?could you tell me|can you tell me|maybe you could (?:tell|say)|i'd like to (?:hear|know))\b/;
const SECOND_PERSON = /\b(?:you|your|you're|you've|you'd|you'll|yourself)\b/;
const INPUT = /\b(?:you (?:should|could|might (?:want|try|consider))|i (?:suggest|recommend|would (?:suggest|recommend|encourage))|(?:it's|it is) (?:important|recommended|common|normal)|research|studies|doctor|medication|the (?:program|group|guideline)s?|here(?:'s| is| are)|there (?:are|is) (?:some|a few|several)|options?|one thing (?:that|people)|many people|a lot of people)\b/;

export function miSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function tagUtterance(text: string): MiTags {
  const counts = { openQuestions: 0, closedQuestions: 0, simpleReflections: 0, complexReflections: 0, affirmations: 0, summaries: 0, inputs: 0 };
  const sentences = miSentences(text);
  for (const raw of sentences) {
    const s = raw.toLowerCase().replace(/[\u2018\u2019]/g, "'");
    const words = s.split(/\s+/).length;
    if (s.endsWith('?') || OPEN.test(s) || WONDER.test(s) || (CLOSED.test(s) && /\byou\b/.test(s))) {
      if (OPEN.test(s) || /\b(?:tell me|what|how|why)\b/.test(s)) counts.openQuestions++;
      else counts.closedQuestions++;
      continue;
    }
    if (SUMMARY.test(s)) {
      counts.summaries++;
      continue;
    }
    if (AFFIRM.test(s)) counts.affirmations++;
    if (REFLECTION.test(s)) {
      if (COMPLEX.test(s)) counts.complexReflections++;
      else counts.simpleReflections++;
    } else if (INPUT.test(s)) counts.inputs++;
    // A statement about the client in the second person, or a "so, …" restatement, reads as a reflection.
    else if (words >= 4 && (SECOND_PERSON.test(s) || /^so,?\s/.test(s))) {
      if (COMPLEX.test(s)) counts.complexReflections++;
      else counts.simpleReflections++;
    }
  }
  const questions = counts.openQuestions + counts.closedQuestions;
  const reflections = counts.simpleReflections + counts.complexReflections;
  const main: MainBehaviour = questions > 0 ? 'question' : reflections > 0 || counts.summaries > 0 ? 'reflection' : counts.inputs > 0 ? 'therapist_input' : 'other';
  const subtype =
    main === 'question' ? (counts.openQuestions > 0 ? 'open' : 'closed') : main === 'reflection' ? (counts.complexReflections > 0 || counts.summaries > 0 ? 'complex' : 'simple') : undefined;
  return { ...counts, sentences: sentences.length, main, ...(subtype ? { subtype } : {}) };
}

/** Cohen's κ of two label sequences. */
export function cohensKappa(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const labels = [...new Set([...a, ...b])];
  const observed = a.filter((x, i) => x === b[i]).length / n;
  const expected = labels.reduce((s, l) => s + (a.filter((x) => x === l).length / n) * (b.filter((x) => x === l).length / n), 0);
  return expected === 1 ? 1 : (observed - expected) / (1 - expected);
}
