/**
 * Loads and validates curriculum configs (YAML files or plain objects).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../base/errors.js';
import { curriculumSchema, formatConfigPath, type CurriculumConfig } from './curriculum-schema.js';

/** Validates `raw`; `origin` (a file path or description) leads every error message. */
export function parseCurriculum(raw: unknown, origin: string): CurriculumConfig {
  const result = curriculumSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const got = 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` (got ${JSON.stringify(issue.input)})` : '';
    return `  ${formatConfigPath(issue.path)}: ${issue.message.replace(/^Invalid input:?\s*/, '')}${got}`;
  });
  return raiseConfig(`Invalid curriculum ${origin}:\n${lines.join('\n')}`);
}

export function loadCurriculumFile(path: string): CurriculumConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return raiseConfig(`Cannot read curriculum ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    return raiseConfig(`Curriculum ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parseCurriculum(raw, path);
}

function raiseConfig(message: string): never {
  throw new ConfigError(message, 'Fix the curriculum config; see configs/curricula/counselchat-to-annomi.yaml for the format.');
}
