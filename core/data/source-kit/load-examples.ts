/**
 * What every `DatasetSource.load` does around its own parsing: one issue collector under the
 * configured bad-row policy, the config's `exposeMetadata`, the request's `limit`, and the
 * result with files named as people should see them.
 *
 * Examples are pulled only until the limit is reached, so a source that yields them lazily
 * (file by file, record by record) reads no further than it must.
 */
import type { DatasetLoadRequest, DatasetLoadResult } from '../../kernel/extension-points/dataset-source.js';
import type { CanonicalExample } from '../example.js';
import { exposeMetadata } from '../expose.js';
import { RowIssueCollector, type BadRowPolicy, type RowIssue } from '../row-issues.js';
import { DuplicateTracker } from '../duplicates.js';

export type ExampleStream = Iterable<CanonicalExample> | AsyncIterable<CanonicalExample>;

export interface ExampleLoad {
  /** The source's validated options (`commonSourceOptions` and more). */
  options: { badRows: BadRowPolicy; exposeMetadata: readonly string[]; maxRowChars?: number; duplicates?: 'keep' | 'drop' };
  request: DatasetLoadRequest;
  /** The files this load reads, by the paths they were read from. */
  files: readonly string[];
  /**
   * How a file is named in issues (the `fail` policy's error included), provenance and
   * `files`; the source itself works with the paths it read. Default: those paths.
   */
  nameFile?: (file: string) => string;
}

export async function loadExamples(
  load: ExampleLoad,
  produce: (issues: RowIssueCollector) => ExampleStream | Promise<ExampleStream>,
): Promise<DatasetLoadResult> {
  const { options, request, nameFile } = load;
  const issues = nameFile ? new FileNamingCollector(options.badRows, nameFile, options.maxRowChars) : new RowIssueCollector(options.badRows, options.maxRowChars);
  const examples: CanonicalExample[] = [];
  const duplicates = new DuplicateTracker();
  const action = options.duplicates ?? 'keep';
  if (request.limit === undefined || request.limit > 0) {
    for await (const example of await produce(issues)) {
      const named = nameFile ? { ...example, provenance: { ...example.provenance, file: nameFile(example.provenance.file) } } : example;
      const final = exposeMetadata(named, options.exposeMetadata);
      if (duplicates.seen(final) && action === 'drop') continue;
      examples.push(final);
      if (request.limit !== undefined && examples.length >= request.limit) break;
    }
  }
  const files = nameFile ? load.files.map(nameFile) : [...load.files];
  const warnings: string[] = [];
  const repeated = duplicates.describe(action);
  if (repeated) warnings.push(repeated);
  if (examples.length === 0 && request.limit !== 0) {
    const why = issues.count > 0 ? `all ${issues.count} rows read were malformed` : 'the files hold no data rows (empty, or a header only)';
    warnings.push(`no examples in split '${request.split}': ${why} (${files.join(', ') || 'no files'})`);
  }
  return { examples, issues: issues.issues, files, warnings };
}

/** Names each issue's file as it is reported, so a `fail` error already shows the name people know. */
class FileNamingCollector extends RowIssueCollector {
  constructor(
    policy: BadRowPolicy,
    private readonly nameFile: (file: string) => string,
    maxRowChars?: number,
  ) {
    super(policy, maxRowChars);
  }

  override report(issue: RowIssue): void {
    super.report({ ...issue, file: this.nameFile(issue.file) });
  }
}
