/**
 * Validated access to the labels the built-in sources write. The kernel's labels map is open
 * (any source may add keys), so a consumer that needs `emotion` or `strategy` reads them here:
 * checked against their schema once per example, with a located error when a source wrote a
 * value of the wrong shape.
 */
import { describeZodIssue } from '../base/zod-issue.js';
import { AttuneError } from '../base/errors.js';
import type { CanonicalExample, KnownLabels } from './example.js';
import { exampleLabelsSchema } from './example.js';

const checked = new WeakMap<object, KnownLabels>();

export function knownLabels(example: CanonicalExample): KnownLabels {
  const cached = checked.get(example.labels);
  if (cached) return cached;
  const parsed = exampleLabelsSchema.safeParse(example.labels);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const p = example.provenance;
    throw new AttuneError(
      `Example '${example.id}' (${p.file}, row ${p.row}) has a malformed label '${issue?.path.join('.')}': ${issue ? describeZodIssue(issue) : 'invalid'}.`,
      'The source that built it must write labels in the shape attune/data documents (exampleLabelsSchema).',
    );
  }
  checked.set(example.labels, parsed.data as KnownLabels);
  return parsed.data as KnownLabels;
}
