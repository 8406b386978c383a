/**
 * The curriculum config: named sources and a list of phases, each with mixture weights per
 * source, a length in optimizer steps or in examples, and an LR multiplier. Errors name the
 * phase index and key, e.g. `phases[2].steps`.
 */
import { z } from 'zod';

export const curriculumPhaseSchema = z
  .object({
    name: z.string().min(1, 'a phase needs a non-empty name'),
    weights: z
      .record(z.string(), z.number().finite().min(0, 'a mixture weight must be >= 0'))
      .describe('mixture weight per source name; sources left out get 0'),
    steps: z.number().int('phase length must be a whole number of steps').positive('a phase must last at least one step').optional(),
    examples: z.number().int('phase length must be a whole number of examples').positive('a phase must last at least one example').optional(),
    lrMultiplier: z.number().finite().positive('the LR multiplier must be > 0').default(1),
  })
  .strict()
  .superRefine((phase, ctx) => {
    if ((phase.steps === undefined) === (phase.examples === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'give the phase length as exactly one of `steps` or `examples`' });
    }
    const total = Object.values(phase.weights).reduce((a, b) => a + b, 0);
    if (!(total > 0)) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'the weights must sum to a positive number (give some source a weight above 0)' });
  });

export const curriculumSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    sources: z.array(z.string().min(1)).min(1, 'list at least one source'),
    phases: z.array(curriculumPhaseSchema).min(1, 'a curriculum needs at least one phase'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = new Set(config.sources);
    if (known.size !== config.sources.length) ctx.addIssue({ code: 'custom', path: ['sources'], message: 'source names must be unique' });
    config.phases.forEach((phase, i) => {
      for (const key of Object.keys(phase.weights)) {
        if (!known.has(key)) {
          ctx.addIssue({ code: 'custom', path: ['phases', i, 'weights', key], message: `unknown source '${key}' (sources: ${config.sources.join(', ')})` });
        }
      }
    });
  });

export type CurriculumPhaseConfig = z.output<typeof curriculumPhaseSchema>;
export type CurriculumConfig = z.output<typeof curriculumSchema>;
export type CurriculumConfigInput = z.input<typeof curriculumSchema>;

/** `phases[2].weights.annomi` from a zod path. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}
