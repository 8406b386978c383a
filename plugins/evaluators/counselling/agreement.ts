/** The MI tagger against AnnoMI's labels on the target therapist turns of `sources/annomi` examples. */
import type { CanonicalExample } from 'attune';
import { cohensKappa, tagUtterance } from './mi-tagger.js';

export interface TaggerAgreement {
  readonly utterances: number;
  readonly behaviour: { accuracy: number; kappa: number; majorityBaseline: number };
  readonly questionSubtype?: { n: number; accuracy: number; kappa: number };
  readonly reflectionSubtype?: { n: number; accuracy: number; kappa: number };
}

export function miAgreement(examples: readonly CanonicalExample[]): TaggerAgreement {
  const rows = examples.flatMap((e) => {
    const gold = e.labels.miBehaviour;
    const text = e.messages.at(-1);
    return typeof gold === 'string' && text?.role === 'assistant' ? [{ gold, subtype: e.metadata.behaviourSubtype, tags: tagUtterance(text.content) }] : [];
  });
  const gold = rows.map((r) => r.gold);
  const predicted = rows.map((r) => r.tags.main);
  const counts = new Map<string, number>();
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  const accuracy = (a: string[], b: string[]) => a.filter((x, k) => x === b[k]).length / a.length;
  const subtype = (behaviour: string) => {
    const r = rows.filter((x) => x.gold === behaviour && x.tags.main === behaviour && typeof x.subtype === 'string');
    if (r.length === 0) return undefined;
    const g = r.map((x) => String(x.subtype));
    const p = r.map((x) => x.tags.subtype ?? '');
    return { n: r.length, accuracy: accuracy(g, p), kappa: cohensKappa(g, p) };
  };
  const q = subtype('question');
  const rf = subtype('reflection');
  return {
    utterances: rows.length,
    behaviour: { accuracy: accuracy(gold, predicted), kappa: cohensKappa(gold, predicted), majorityBaseline: Math.max(...counts.values()) / Math.max(1, rows.length) },
    ...(q ? { questionSubtype: q } : {}),
    ...(rf ? { reflectionSubtype: rf } : {}),
  };
}
