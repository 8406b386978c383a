/**
 * Opt-in exposure of metadata to the model. By default labels and metadata never reach
 * model inputs; a source option `exposeMetadata: ['situation', …]` lists the keys a config
 * explicitly allows, and they are prepended as a system message.
 */
import type { CanonicalExample } from './example.js';

export function exposeMetadata(example: CanonicalExample, keys: readonly string[]): CanonicalExample {
  if (keys.length === 0) return example;
  const lines = keys
    .filter((key) => example.metadata[key] !== undefined)
    .map((key) => `${key}: ${String(example.metadata[key])}`);
  if (lines.length === 0) return example;
  const context = `Context:\n${lines.join('\n')}`;
  const [first, ...rest] = example.messages;
  const messages =
    first?.role === 'system'
      ? [{ role: 'system' as const, content: `${first.content}\n\n${context}` }, ...rest]
      : [{ role: 'system' as const, content: context }, ...example.messages];
  return { ...example, messages };
}
