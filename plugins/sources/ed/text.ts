/** ED text fields: `_comma_` is the release's escape for a comma inside a field. */
export function unescapeEd(value: unknown): string {
  return (value === undefined || value === null ? '' : String(value)).replaceAll('_comma_', ',').trim();
}
