/**
 * Agreement of the counselling evaluator's MI tagger with AnnoMI's annotations (the full release
 * in ../shared/data/annomi, or the slice the annomi source ships): accuracy and Cohen's κ of the
 * main therapist behaviour (question / reflection / therapist_input / other), and of the question
 * (open/closed) and reflection (simple/complex) subtypes where AnnoMI gives them.
 *
 *   npx tsx --conditions=attune-source scripts/mi-tagger-agreement.ts [--path ../shared/data/annomi]
 */
import { resolve } from 'node:path';
import { Kernel } from '../core/kernel/kernel.js';
import { builtinPlugins } from '../plugins/index.js';
import { miAgreement } from '../plugins/evaluators/counselling/agreement.js';

const i = process.argv.indexOf('--path');
const path = i >= 0 ? resolve(process.argv[i + 1]!) : undefined;
const kernel = await new Kernel().load({ builtins: builtinPlugins });
const source = await kernel.create({ kind: 'sources', use: 'sources/annomi', options: { annotations: 'full', ...(path ? { path } : {}) } }, { baseDir: process.cwd(), warn: () => {} });
const examples = (await Promise.all(source.splits.map((split) => source.load({ split })))).flatMap((r) => r.examples);
console.log(JSON.stringify(miAgreement(examples), null, 2));
