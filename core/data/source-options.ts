/**
 * Options every DatasetSource accepts; each source extends this schema with its own switches.
 */
import { z } from 'zod';

export const commonSourceOptions = z.object({
  /** A file or folder in the original layout or a Hugging Face dataset folder; absent = the shipped slice. */
  path: z.string().optional().describe('file or folder to read; default: the small real slice shipped with the plugin'),
  badRows: z.enum(['skip', 'fail']).default('skip').describe('malformed rows: count and skip them, or stop at the first'),
  exposeMetadata: z
    .array(z.string())
    .default([])
    .describe('metadata keys (e.g. situation) that may enter the prompt; none by default'),
});
export type CommonSourceOptions = z.output<typeof commonSourceOptions>;
