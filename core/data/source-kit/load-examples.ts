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

export type ExampleStream = Iterable<CanonicalExample> | AsyncIterable<CanonicalExample>;

export interface ExampleLoad {
  /** The source's validated options (`commonSourceOptions` and more). */
  options: { badRows: BadRowPolicy; exposeMetadata: readonly string[] };
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
  const issues = nameFile ? new FileNamingCollector(options.badRows, nameFile) : new RowIssueCollector(options.badRows);
  const examples: CanonicalExample[] = [];
  if (request.limit === undefined || request.limit > 0) {
    for await (const example of await produce(issues)) {
      const named = nameFile ? { ...example, provenance: { ...example.provenance, file: nameFile(example.provenance.file) } } : example;
      examples.push(exposeMetadata(named, options.exposeMetadata));
      if (request.limit !== undefined && examples.length >= request.limit) break;
    }
  }
  return { examples, issues: issues.issues, files: nameFile ? load.files.map(nameFile) : [...load.files] };
}

/** Names each issue's file as it is reported, so a `fail` error already shows the name people know. */
class FileNamingCollector extends RowIssueCollector {
  constructor(
    policy: BadRowPolicy,
    private readonly nameFile: (file: string) => string,
  ) {
    super(policy);
  }

  override report(issue: RowIssue): void {
    super.report({ ...issue, file: this.nameFile(issue.file) });
  }
}
