/**
 * Inside a run, every split a DatasetSource loads says what it skipped and what looks wrong,
 * as run warnings (console summary and run.log) — whichever recipe, trainer or evaluator asked
 * for it, and whoever wrote the source. Skipped rows used to be visible only to `data inspect`.
 */
import type { DatasetSource } from '../extension-points/dataset-source.js';

export function withLoadWarnings(source: DatasetSource, name: string, warn: (message: string) => void): DatasetSource {
  return {
    get splits() {
      return source.splits;
    },
    async load(request) {
      const result = await source.load(request);
      const where = `${name} (${request.split})`;
      if (result.issues.length > 0) {
        const first = result.issues[0]!;
        warn(`${where}: ${result.issues.length} malformed row${result.issues.length === 1 ? '' : 's'} skipped; the first: ${first.file}:${first.row}${first.field ? ` (${first.field})` : ''}: ${first.reason} (attune data inspect lists them all)`);
      }
      for (const warning of result.warnings ?? []) warn(`${where}: ${warning}`);
      return result;
    },
  };
}
