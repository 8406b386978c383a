/**
 * Run-time leakage check: does any label or metadata value reach the model's input?
 *
 * Metadata values that are long enough to be distinctive (a situation description, a
 * problem summary) must not appear verbatim in any message. Short label values (an
 * emotion word such as "sad") occur naturally in conversation text, so for labels the
 * check is structural: no system message may contain them, since sources only ever put
 * instructions there, and a label inserted by mistake would typically land there.
 * The canary tests of every source prove the stronger property on constructed rows.
 */
import type { CanonicalExample } from '../example.js';

/** Metadata strings shorter than this are too generic to be evidence of a leak. */
const DISTINCTIVE_LENGTH = 24;

export interface LeakageReport {
  examplesChecked: number;
  /** Leak counts by field, e.g. { 'metadata.situation': 3 }. Empty when clean. */
  leaks: Record<string, number>;
  /** Fields the config exposed on purpose (`exposeMetadata`): reported, not counted as leaks. */
  exposed: string[];
}

export function checkLeakage(examples: readonly CanonicalExample[], exposedKeys: readonly string[] = []): LeakageReport {
  const leaks: Record<string, number> = {};
  const count = (field: string): void => {
    leaks[field] = (leaks[field] ?? 0) + 1;
  };
  for (const example of examples) {
    const allText = example.messages.map((m) => m.content.toLowerCase());
    const systemText = example.messages.filter((m) => m.role === 'system').map((m) => m.content.toLowerCase());
    for (const [key, value] of Object.entries(example.metadata)) {
      if (exposedKeys.includes(key) || typeof value !== 'string' || value.trim().length < DISTINCTIVE_LENGTH) continue;
      const needle = value.trim().toLowerCase();
      if (allText.some((t) => t.includes(needle))) count(`metadata.${key}`);
    }
    const labelValues: [string, string | undefined][] = [
      ['labels.emotion', example.labels.emotion?.label],
      ['labels.strategy', example.labels.strategy],
      ['labels.miBehaviour', example.labels.miBehaviour],
    ];
    for (const [field, value] of labelValues) {
      if (!value) continue;
      const pattern = new RegExp(`\\b${value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
      if (systemText.some((t) => pattern.test(t))) count(field);
    }
  }
  return { examplesChecked: examples.length, leaks, exposed: [...exposedKeys] };
}
