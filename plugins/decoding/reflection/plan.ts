/**
 * The hidden plan of the reflection policy: the user's emotion and its intensity, a support
 * strategy (ESConv's eight) and style tokens. Read from an SFT run's heads, or parsed from a
 * generated plan with defined fallbacks; rendered into the reply prompt, never into the reply.
 */
import { esconvStrategies } from 'attune/data';
import type { HeadReading } from 'attune';

export type Intensity = 'low' | 'medium' | 'high';

export interface ReplyPlan {
  readonly emotion: string;
  readonly intensity: Intensity;
  readonly strategy: string;
  readonly style: readonly string[];
  /** Where each part came from: `heads`, `generated`, or `default` (a part the plan lacked). */
  readonly sources: Readonly<Record<'emotion' | 'intensity' | 'strategy' | 'style', 'heads' | 'generated' | 'cues' | 'default'>>;
}

export const STRATEGIES: readonly string[] = esconvStrategies;
export const DEFAULT_STYLES: readonly string[] = ['warm', 'concise', 'validating', 'gentle', 'calm', 'hopeful'];

const NEGATIVE = /\b(?:sad|grief|grieving|disappoint|nervous|fear|afraid|scared|anx|terrif|anger|angry|annoy|furious|lonely|alone|ashamed|embarrass|guilt|remorse|hurt|devastat|hopeless|jealous|disgust|apprehens|sentimental)\w*/;

/** Intensity from surface cues of the message: intensifiers, exclamations, capitals. */
export function intensityFromCues(message: string): Intensity {
  const cues =
    (message.match(/\b(?:so|really|very|extremely|completely|totally|never|always|can't|cannot|anymore|everything|nothing)\b/gi)?.length ?? 0) +
    (message.match(/!/g)?.length ?? 0) +
    (message.match(/\b[A-Z]{3,}\b/g)?.length ?? 0);
  return cues >= 3 ? 'high' : cues >= 1 ? 'medium' : 'low';
}

/** Style tokens that suit an emotion and intensity when nothing chose them. */
export function defaultStyle(emotion: string, intensity: Intensity): string[] {
  if (NEGATIVE.test(emotion.toLowerCase())) return intensity === 'high' ? ['calm', 'validating', 'concise'] : ['warm', 'validating'];
  return ['warm', 'concise'];
}

/** A plan from the heads' readings (`emotion`, `strategy`), completed from cues and defaults. */
export function planFromHeads(readings: Record<string, HeadReading>, message: string): ReplyPlan {
  const emotion = readings.emotion?.label;
  const strategy = readings.strategy?.label;
  const intensity = intensityFromCues(message);
  const e = emotion ?? 'unclear';
  return {
    emotion: e,
    intensity,
    strategy: strategy ?? 'Reflection of feelings',
    style: defaultStyle(e, intensity),
    sources: { emotion: emotion ? 'heads' : 'default', intensity: 'cues', strategy: strategy ? 'heads' : 'default', style: 'default' },
  };
}

export interface ParsedPlan {
  readonly plan: ReplyPlan;
  /** `ok` (every line parsed), `partial`, or `unparsed`. */
  readonly status: 'ok' | 'partial' | 'unparsed';
}

function line(text: string, key: string): string | undefined {
  const m = new RegExp(String.raw`^\s*[-*]?\s*${key}\s*[:=-]\s*(.+)$`, 'im').exec(text);
  return m?.[1]?.trim();
}

/** Parses a generated plan; every missing or unknown part takes a defined fallback. */
export function parsePlan(text: string, message: string, styles: readonly string[] = DEFAULT_STYLES): ParsedPlan {
  const rawEmotion = line(text, 'emotion')?.toLowerCase().match(/[a-z][a-z-]*/)?.[0];
  const rawIntensity = line(text, 'intensity')?.toLowerCase().match(/\b(low|medium|high)\b/)?.[1] as Intensity | undefined;
  const rawStrategy = line(text, 'strategy')?.toLowerCase();
  const strategy = rawStrategy === undefined ? undefined : STRATEGIES.find((s) => rawStrategy.startsWith(s.toLowerCase()) || rawStrategy.startsWith(s.toLowerCase().split(' ')[0]!));
  const rawStyle = line(text, 'style')?.toLowerCase();
  const style = rawStyle === undefined ? [] : styles.filter((s) => new RegExp(String.raw`\b${s}\b`).test(rawStyle));
  const intensity = rawIntensity ?? intensityFromCues(message);
  const emotion = rawEmotion ?? 'unclear';
  const parsedParts = [rawEmotion, rawIntensity, strategy, style.length > 0 ? style : undefined].filter((p) => p !== undefined).length;
  return {
    plan: {
      emotion,
      intensity,
      strategy: strategy ?? 'Reflection of feelings',
      style: style.length > 0 ? style : defaultStyle(emotion, intensity),
      sources: {
        emotion: rawEmotion ? 'generated' : 'default',
        intensity: rawIntensity ? 'generated' : 'cues',
        strategy: strategy ? 'generated' : 'default',
        style: style.length > 0 ? 'generated' : 'default',
      },
    },
    status: parsedParts === 4 ? 'ok' : parsedParts === 0 ? 'unparsed' : 'partial',
  };
}

export function fillPlan(template: string, plan: ReplyPlan): string {
  return template
    .replaceAll('{emotion}', plan.emotion)
    .replaceAll('{intensity}', plan.intensity)
    .replaceAll('{strategy}', plan.strategy)
    .replaceAll('{style}', plan.style.join(', '));
}

/** Lines of a reply that restate the plan ("Emotion: sad"), removed so the plan never reaches the user. */
export function withoutPlanLines(reply: string): string {
  return reply
    .split('\n')
    .filter((l) => !/^\s*[-*]?\s*(?:emotion|intensity|strategy|style|plan)\s*[:=]/i.test(l))
    .join('\n')
    .trim();
}
