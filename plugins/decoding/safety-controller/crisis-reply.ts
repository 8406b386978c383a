/**
 * The crisis path's words: naming the emotion a high-risk message carries, the one calm
 * escalation (trusted people and professional help, with the locale's resources), and the vetted
 * reply used when a generated one cannot be repaired. Every template passes reply-checks.ts (a
 * test holds them to it): no questions, no minimising, no invented memories, no instructions
 * beyond the escalation.
 */
import type { RiskCategory } from './risk-lexicon.js';
import type { LocaleResources } from './crisis-resources.js';

/** Emotion words, most specific first; the first whose cue appears in the message is named. */
const EMOTIONS: readonly { cue: RegExp; name: string }[] = [
  { cue: /\b(?:hopeless|no point|pointless|no reason|better off without me|burden|give up|no way out|nothing will change)\b/, name: 'hopeless' },
  { cue: /\b(?:alone|lonely|no one|nobody|by myself|isolated)\b/, name: 'very alone' },
  { cue: /\b(?:exhausted|tired of|can't go on|cant go on|can't keep|worn out|so tired)\b/, name: 'exhausted' },
  { cue: /\b(?:scared|afraid|terrified|frightened|unsafe|not safe)\b/, name: 'frightened' },
  { cue: /\b(?:angry|rage|furious|hate)\b/, name: 'overwhelmed by anger' },
  { cue: /\b(?:ashamed|shame|worthless|useless|hate myself|failure)\b/, name: 'worthless' },
  { cue: /\b(?:hurt|pain|hurts|aching)\b/, name: 'deeply hurt' },
];

export function nameEmotion(normalizedMessage: string, category: RiskCategory): string {
  const found = EMOTIONS.find((e) => e.cue.test(normalizedMessage));
  if (found) return found.name;
  return category === 'abuse' ? 'frightened' : category === 'harm-to-others' ? 'overwhelmed by anger' : 'overwhelmed';
}

function contacts(list: readonly { name: string; contact: string }[]): string {
  return list.map((r) => `${r.name} (${r.contact})`).join(' or ');
}

/** The single escalation sentence. */
export function escalation(category: RiskCategory, resources: LocaleResources): string {
  if (category === 'abuse') {
    return `You deserve to be safe, and you don't have to handle this alone: please reach out to someone you trust or to ${contacts(resources.abuse)}, and if you are in danger right now, call ${resources.emergency}.`;
  }
  if (category === 'harm-to-others') {
    return `You don't have to hold this alone: please talk to someone you trust or a professional now, for example ${contacts(resources.crisis)}, and if anyone is in immediate danger, call ${resources.emergency}.`;
  }
  return `You don't have to carry this alone: please reach out to someone you trust or to ${contacts(resources.crisis)} right now, and if you might act on these thoughts, call ${resources.emergency}.`;
}

/** The acknowledgement that opens a vetted reply. */
function acknowledgement(category: RiskCategory, emotion: string): string {
  if (category === 'abuse') return `Thank you for telling me. What you're describing sounds frightening, and it is not your fault. It sounds like you're feeling ${emotion} right now.`;
  if (category === 'harm-to-others') return `Thank you for being honest with me. It sounds like you're feeling ${emotion}, and that is a lot to be carrying.`;
  return `I'm really glad you told me, and I'm so sorry you're hurting this much. It sounds like you're feeling ${emotion}, and that is a very heavy thing to carry.`;
}

export function templateReply(category: RiskCategory, emotion: string, resources: LocaleResources): string {
  return `${acknowledgement(category, emotion)} ${escalation(category, resources)}`;
}
