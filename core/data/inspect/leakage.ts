/**
 * Run-time leakage check: does any label or metadata value reach the model's input?
 *
 * Sources build user and assistant turns only from what the speakers wrote, and the system
 * message only from instructions; a label or metadata value inserted by mistake would land
 * in the system message (or prefix a turn). So the check is structural:
 * - a distinctive metadata value (a situation description, a problem summary) or a label
 *   inside a system message is a leak;
 * - a metadata value inside a user/assistant turn is reported as *echoed*, not as a leak:
 *   speakers often retell their own situation (ED and ESConv seekers write the situation
 *   and then say it again), which is the data, not a leak.
 * The canary tests of every source prove the stronger property on constructed rows.
 */
import { knownLabels } from '../known-labels.js';
import type { CanonicalExample } from '../example.js';

/** Metadata strings shorter than this are too generic to be evidence of a leak. */
const DISTINCTIVE_LENGTH = 24;

export interface LeakageReport {
  examplesChecked: number;
  /** Leak counts by field, e.g. { 'metadata.situation': 3 }. Empty when clean. */
  leaks: Record<string, number>;
  /** Fields the config exposed on purpose (`exposeMetadata`): reported, not counted as leaks. */
  exposed: string[];
  /** Metadata a speaker repeated in their own turn, by field (informational). */
  echoed: Record<string, number>;
}

export function checkLeakage(examples: readonly CanonicalExample[], exposedKeys: readonly string[] = []): LeakageReport {
  const leaks: Record<string, number> = {};
  const echoed: Record<string, number> = {};
  const count = (table: Record<string, number>, field: string): void => {
    table[field] = (table[field] ?? 0) + 1;
  };
  for (const example of examples) {
    const turnText = example.messages.filter((m) => m.role !== 'system').map((m) => m.content.toLowerCase());
    const systemText = example.messages.filter((m) => m.role === 'system').map((m) => m.content.toLowerCase());
    for (const [key, value] of Object.entries(example.metadata)) {
      if (exposedKeys.includes(key) || typeof value !== 'string' || value.trim().length < DISTINCTIVE_LENGTH) continue;
      const needle = value.trim().toLowerCase();
      if (systemText.some((t) => t.includes(needle))) count(leaks, `metadata.${key}`);
      else if (turnText.some((t) => t.includes(needle))) count(echoed, `metadata.${key}`);
    }
    const labelValues: [string, string | undefined][] = [
      ['labels.emotion', knownLabels(example).emotion?.label],
      ['labels.strategy', knownLabels(example).strategy],
      ['labels.miBehaviour', knownLabels(example).miBehaviour],
    ];
    for (const [field, value] of labelValues) {
      if (!value) continue;
      const pattern = new RegExp(`\\b${value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
      if (systemText.some((t) => pattern.test(t))) count(leaks, field);
    }
  }
  return { examplesChecked: examples.length, leaks, exposed: [...exposedKeys], echoed };
}
