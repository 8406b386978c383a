/**
 * The default risk lexicon of the safety controller: what a high-risk message says, and the
 * frames that make the same words something else (hyperbole, negation, fiction, a recovery told
 * in the past tense). Patterns run on normalized text (lowercase, straight apostrophes, single
 * spaces). `direct` patterns are first-person statements about now; a fiction or recovery frame
 * never silences them ("my story is about a girl… and honestly I want to kill myself too").
 */
export type RiskCategory = 'suicide' | 'self-harm' | 'means' | 'abuse' | 'harm-to-others';

export interface RiskPattern {
  readonly category: RiskCategory;
  readonly pattern: RegExp;
  /** A first-person statement about the present: fiction and recovery frames do not silence it. */
  readonly direct: boolean;
}

const p = (category: RiskCategory, pattern: RegExp, direct = true): RiskPattern => ({ category, pattern, direct });

const I = String.raw`\b(?:i|i'm|im|i am|i've|ive|i'll|ill|i'd|id)\b`;
const ME = String.raw`(?:my ?self|me)`;

export const DEFAULT_RISK_PATTERNS: readonly RiskPattern[] = [
  // Suicide: ideation and plans, said directly or indirectly.
  p('suicide', new RegExp(String.raw`\b(?:kill|killing|end|ending|take|taking)\s+(?:my ?self|my (?:own )?life)\b`)),
  p('suicide', /\bsuicid(?:e|al)\b/, false),
  p('suicide', new RegExp(String.raw`${I}(?: (?:really|just|honestly|seriously))? (?:want|wanna|going|gonna|plan|planning|ready|decided|about) (?:to )?die\b`)),
  p('suicide', /\bwish (?:i (?:was|were|had been) (?:dead|never born)|i could (?:just )?die|i'd never been born)\b/),
  p('suicide', /\b(?:don't|do not|dont|no longer) (?:want|wish) to (?:be here|live|exist|be alive|wake up|go on)\b/),
  p('suicide', /\b(?:no|any|what's the) (?:point|reason) (?:in |of |to )?(?:living|live|being alive|going on|carrying on|life)\b/),
  p('suicide', /\bbetter off (?:dead|without me|if i (?:was|were) gone|if i wasn't here)\b/),
  p('suicide', /\b(?:everyone|everybody|the world|my family|they|people) (?:would|will|'d) be (?:better|happier|fine) (?:off )?(?:without me|if i (?:was|were) gone|when i'm gone)\b/),
  p('suicide', /\b(?:can't|cannot|cant) (?:go on|keep going|keep living|do this anymore|live like this)\b/),
  p('suicide', /\b(?:won't|will not|wont|not going to) (?:be (?:around|here)|be a (?:burden|problem) to anyone) (?:much longer|for long|anymore|after (?:tonight|today|this week))\b/),
  p('suicide', /\b(?:said|saying|say) (?:my )?goodbyes?\b/),
  p('suicide', /\bgiv(?:e|ing) away (?:all )?(?:of )?my (?:stuff|things|belongings|possessions)\b/),
  p('suicide', /\b(?:wrote|written|writing|write|left) (?:a |my )?(?:suicide|goodbye) (?:note|letter)\b/),
  p('suicide', /\b(?:disappear|vanish) (?:forever|for good|permanently)\b/),
  p('suicide', /\b(?:go to sleep|fall asleep|sleep) and (?:never|not) wake up\b/),
  p('suicide', /\bend (?:it all|everything|things)(?: (?:tonight|today|now|soon|for good))?\b/),
  p('suicide', /\b(?:unalive|kms)\b/),
  p('suicide', /\bi'm a burden (?:to|on) (?:everyone|everybody|my family|them)\b/),
  // Self-harm.
  p('self-harm', new RegExp(String.raw`\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|punish|punishing|starve|starving) ${ME}\b`)),
  p('self-harm', /\bself[- ]?harm(?:ing)?\b/, false),
  // Means: asking for or holding a method.
  p('means', /\b(?:how many|enough) (?:pills|tablets|sleeping pills|painkillers)\b.*\b(?:die|kill|overdose|end it|take to)\b/),
  p('means', /\b(?:lethal|fatal|deadly) (?:dose|amount)\b/),
  p('means', /\bhow to (?:tie a noose|hang (?:my ?self|yourself)|overdose|slit)\b/),
  p('means', /\b(?:i've|ive|i have) (?:been )?(?:saving|saved|stockpiling|collecting) (?:up )?(?:my )?(?:pills|tablets|meds|medication)\b/),
  p('means', /\b(?:bought|got|have) (?:a |the )?(?:rope|noose)\b.*\b(?:for|to) (?:my ?self|end|die|do it)\b/),
  p('means', /\b(?:jump|jumping) (?:off|from) (?:a |the )?(?:bridge|roof|building|balcony)\b/),
  // Abuse: being hurt or unsafe now.
  p('abuse', /\b(?:he|she|they|my (?:dad|father|mom|mother|stepdad|stepmom|husband|wife|partner|boyfriend|girlfriend|ex|uncle|brother|sister)) (?:hits|beats|chokes|strangles|kicks|rapes|abuses|threatens|hurts) me\b/),
  p('abuse', /\b(?:i'm|im|i am) (?:being )?(?:abused|raped|molested|beaten)\b/),
  p('abuse', /\b(?:afraid|scared|terrified) (?:to go home|(?:he|she|they)(?:'ll| will| is going to| are going to) (?:kill|hurt) me)\b/),
  p('abuse', /\b(?:not|don't feel) safe (?:at home|in my (?:own )?home|with (?:him|her|them))\b/),
  // Harm to others: an intent or plan.
  p('harm-to-others', new RegExp(String.raw`${I} (?:want|wanna|going|gonna|will|plan|planning|am going) (?:to )?(?:kill|hurt|shoot|stab|murder|poison) (?:him|her|them|someone|somebody|everyone|people|my (?:boss|dad|father|mom|mother|husband|wife|partner|ex|teacher|neighbou?r|brother|sister|classmates?|coworkers?))\b`)),
  p('harm-to-others', /\b(?:bring|brought|take|taking) (?:a |my )?(?:gun|knife|weapon) to (?:school|work|class)\b/),
];

/** Figures of speech that use risk words; masked before the patterns run. */
export const DEFAULT_HYPERBOLE: readonly RegExp[] = [
  /\b(?:is|are|was|were|'s|'re|it's|this|that|these|those|work|school|exams?|homework|traffic|heat|job|boss|deadlines?|shoes|feet|back) (?:\w+ )?(?:literally |actually |honestly |totally |really )?(?:killing|going to kill|gonna kill|will kill|about to kill) me\b/g,
  /\b(?:my|his|her|their|our) (?:mom|mother|dad|father|boss|teacher|wife|husband|coach|parents) (?:is|are|will|'s) (?:going to|gonna)? ?(?:kill|murder) me\b/g,
  /\b(?:dying|die|died|dead) (?:to (?:see|know|try|go|get|hear|meet)|of (?:embarrassment|boredom|laughter|shame|cringe)|laughing|tired)\b/g,
  /\b(?:to die for|i'm dead|im dead|i'm dying here|killed it|kill(?:ing)? (?:some |the )?time|could kill for|would kill for|murder (?:a|some) (?:burger|pizza|coffee|beer))\b/g,
  /\b(?:kill|killing|ending) (?:the )?(?:vibe|mood|party|game|conversation|lights?|engine|process|task|bugs?)\b/g,
];

/** A statement the person is *not* at risk ("I'm not suicidal, just tired"). */
export const DEFAULT_NEGATIONS: readonly RegExp[] = [
  /\b(?:not|never|no longer|n't|wasn't|isn't) (?:been |feeling |feel |really )?(?:suicidal|self[- ]?harming)\b/g,
  /\b(?:would|will|could) never (?:kill|hurt|harm) (?:my ?self)\b/g,
  /\b(?:not|never) (?:going|gonna) to (?:kill|hurt|harm) (?:my ?self)\b/g,
];

/** A fictional or third-person frame: a story, a character, a film. */
export const DEFAULT_FICTION: readonly RegExp[] = [
  /\b(?:my|a|the|this) (?:story|novel|book|screenplay|script|poem|fanfic|fan fiction|short story|play|game|campaign|scene|chapter|manga|comic)\b/,
  /\b(?:character|protagonist|villain|narrator|plot|fictional|roleplay|role-play)\b/,
  /\b(?:in|from|of) (?:the|a|that) (?:movie|film|show|series|episode|book|song)\b/,
];

/** Past tense about the risk, and a recovery since. Both are needed to silence an indirect match. */
export const DEFAULT_PAST: readonly RegExp[] = [
  /\b(?:used to|years ago|months ago|when i was (?:younger|a (?:teen|teenager|kid))|back (?:then|in (?:high school|college|school|\d{4}))|in the past|last year|at my lowest|i was|i went through|i had)\b/,
];
export const DEFAULT_RECOVERY: readonly RegExp[] = [
  /\b(?:i'm|im|i am|i feel|feeling|i've been) (?:doing )?(?:much |a lot |so much |way |far )?(?:better|okay|ok|fine|in recovery|recovering|healing|happier|stable|in a (?:good|better) place)\b/,
  /\b(?:clean|free|sober) (?:for|since)\b/,
  /\b(?:recovered|got (?:help|better|through it)|came out the other side|survived it|don't feel that way anymore|not anymore|no longer feel)\b/,
  /\b(?:therapy|treatment|medication|counselling|counseling|my therapist) (?:helped|saved|works|is working|has helped)\b/,
];
