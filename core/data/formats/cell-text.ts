/**
 * A cell as text, whichever reader produced it: CSV/TSV give strings; JSON and Parquet give
 * numbers, booleans, null or nested values, which are written back as JSON.
 */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'bigint' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}
