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
  const reports: SplitReport[] = [];
  for (const split of splits) {
    const loaded = await source.load({ split });
    const report = inspectSplit(name, split, loaded.examples, loaded.issues, {
      ...(options.tokenizer && { tokenizer: options.tokenizer }),
      ...(options.exposedKeys && { exposedKeys: options.exposedKeys }),
      ...(options.samples !== undefined && { samples: options.samples }),
    });
    options.onSplit?.(report);
    reports.push(report);
  }
  return reports;
}
