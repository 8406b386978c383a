/**
 * Inspects every requested split of one DatasetSource with one tokenizer: the shared core of
 * `attune data inspect` and the `data-report` recipe.
 */
import type { DatasetSource } from '../../kernel/extension-points/dataset-source.js';
import { loadTokenizer } from '../../model/tokenizer/index.js';
import { resolveModelFolder } from '../../model/folder/index.js';
import type { ChatTokenCounter, SplitReport } from './inspect-split.js';
import { inspectSplit } from './inspect-split.js';
import { AttuneError } from '../../base/errors.js';
import type { CanonicalExample } from '../../kernel/extension-points/example.js';
import { overlapWarning, overlapWith } from '../duplicates.js';
import { canonicalSplits } from '../formats/index.js';

export async function chatTokenCounter(model: string, baseDir?: string): Promise<ChatTokenCounter> {
  const tokenizer = await loadTokenizer(resolveModelFolder(model, baseDir ? { baseDir } : {}));
  return { countChatTokens: (messages) => tokenizer.encodeChat(messages, { addGenerationPrompt: false }).length };
}

export async function inspectSource(
  name: string,
  source: DatasetSource,
  options: { splits?: readonly string[]; tokenizer?: ChatTokenCounter; exposedKeys?: readonly string[]; samples?: number; onSplit?: (report: SplitReport) => void },
): Promise<SplitReport[]> {
  const splits = options.splits ?? source.splits;
  for (const split of splits) {
    if (!source.splits.includes(split)) {
      throw new AttuneError(`Source '${name}' has no split '${split}'.`, `Its splits are: ${source.splits.join(', ')}.`);
    }
  }
  if (source.splits.length === 0) {
    throw new AttuneError(`Source '${name}' found no split to read: no data files in any layout it knows.`, 'Check the path: it must be a data file or a folder holding the split files (attune describe shows the source\'s layouts).');
  }
  const reports: SplitReport[] = [];
  // Held-out examples that also occur in train are evaluation on training data.
  let train: readonly CanonicalExample[] | undefined;
  const trainExamples = async (): Promise<readonly CanonicalExample[]> => (train ??= (await source.load({ split: 'train' })).examples);
  for (const split of splits) {
    const loaded = await source.load({ split });
    if (split === 'train') train = loaded.examples;
    const warnings = [...(loaded.warnings ?? [])];
    // A split file that is missing makes its split vanish; say so once, on the first report.
    const absent = canonicalSplits.filter((s) => !source.splits.includes(s));
    if (reports.length === 0 && !options.splits && absent.length > 0) {
      warnings.push(`no ${absent.map((s) => `'${s}'`).join(' or ')} split found (only ${source.splits.join(', ')}): a run evaluating on ${absent.length === 1 ? 'it' : 'them'} would skip this source`);
    }
    if (split !== 'train' && source.splits.includes('train')) {
      const shared = overlapWith(await trainExamples(), loaded.examples);
      if (shared.count > 0) warnings.push(overlapWarning(split, loaded.examples.length, shared));
    }
    const report = inspectSplit(name, split, loaded.examples, loaded.issues, {
      ...(options.tokenizer && { tokenizer: options.tokenizer }),
      ...(options.exposedKeys && { exposedKeys: options.exposedKeys }),
      ...(options.samples !== undefined && { samples: options.samples }),
      warnings,
    });
    options.onSplit?.(report);
    reports.push(report);
  }
  return reports;
}
