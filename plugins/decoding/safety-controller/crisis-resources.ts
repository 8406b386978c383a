/**
 * Crisis resources per locale (prompts/crisis-resources.json by default, or a config's own file):
 * read once, validated, and looked up with a fallback to `default`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PluginError, assetPath, describeZodIssue } from 'attune';

export const DEFAULT_RESOURCES_FILE = assetPath(import.meta.url, '../../../prompts/crisis-resources.json');

const resource = z.strictObject({ name: z.string().min(1), contact: z.string().min(1), source: z.string().min(1) });
const locale = z.strictObject({ emergency: z.string().min(1), crisis: z.array(resource).min(1), abuse: z.array(resource).min(1) });
const file = z.object({ locales: z.record(z.string(), locale) }).refine((f) => 'default' in f.locales, { message: "needs a 'default' locale", path: ['locales'] });

export type CrisisResource = z.output<typeof resource>;
export type LocaleResources = z.output<typeof locale>;

export interface CrisisResources {
  readonly locales: readonly string[];
  /** The locale's entry, or `default`'s. */
  forLocale(locale: string): LocaleResources;
}

export function loadCrisisResources(path: string = DEFAULT_RESOURCES_FILE): CrisisResources {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PluginError(`decoding/safety-controller: cannot read the crisis resources ${path}: ${(error as Error).message}`, 'point resourcesFile at a JSON file shaped like prompts/crisis-resources.json');
  }
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PluginError(
      `decoding/safety-controller: ${path}, at ${issue.path.join('.') || '(top)'}: ${describeZodIssue(issue)}`,
      'each locale needs emergency (text), crisis and abuse (lists of {name, contact, source}); see prompts/crisis-resources.json',
    );
  }
  const locales = parsed.data.locales;
  return {
    locales: Object.keys(locales),
    forLocale: (name) => locales[name] ?? locales[name.split('-')[0]!] ?? locales.default!,
  };
}
