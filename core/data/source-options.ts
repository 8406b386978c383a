/**
 * Options every DatasetSource accepts; each source extends this schema with its own switches.
 */
import { z } from 'zod';
import { DEFAULT_MAX_ROW_CHARS } from './formats/data-text.js';

export const commonSourceOptions = z.object({
  /** A file or folder in the original layout or a Hugging Face dataset folder; absent = the shipped slice. */
  path: z.string().min(1, 'an empty path names no file or folder; leave the key out to read the shipped slice').optional().describe('file or folder to read; default: the small real slice shipped with the plugin'),
  badRows: z.enum(['skip', 'fail']).default('skip').describe('malformed rows: count and skip them, or stop at the first'),
  maxRowChars: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_ROW_CHARS)
    .describe('a row with more characters is a bad row (skipped or, with badRows: fail, an error): bounds the work one hostile row can cause'),
  duplicates: z
    .enum(['keep', 'drop'])
    .default('keep')
    .describe('examples identical to an earlier one of the same split (same messages, labels and preference): always counted and reported; keep them or drop them'),
  exposeMetadata: z
    .array(z.string())
    .default([])
    .describe('metadata keys (e.g. situation) that may enter the prompt; none by default'),
});
export type CommonSourceOptions = z.output<typeof commonSourceOptions>;
