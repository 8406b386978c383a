/**
 * `attune run <recipe> --resume <finished run> --set trainer.options.steps=<more>`: a finished
 * run trained longer, where that is well-defined — one stage, only step budgets raised, a
 * constant learning rate (a decaying schedule depends on the total, so the finished steps would
 * have been trained at other rates), and a checkpoint to continue from. Anything else is refused
 * with the reason.
 */
import { RecipeError } from '../../base/errors.js';
import { applyOverrides } from '../config/overrides.js';
import type { Override } from '../config/overrides.js';
import type { RecipeDefinition } from '../recipes/recipe.js';
import { CheckpointStore } from './checkpoint-store.js';
import { valueAt } from '../config/value-at.js';


/** The saved config with the raised budgets; throws a RecipeError saying why when extending is not well-defined. */
export function extendFinishedRun(runDir: string, recipeName: string, recipe: RecipeDefinition, saved: Record<string, unknown>, overrides: readonly Override[]): Record<string, unknown> {
  const refuse = (why: string, hint: string): never => {
    throw new RecipeError(`Cannot extend the finished run ${runDir}: ${why}.`, hint);
  };
  const fresh = `start a new run (attune run ${recipeName} --set …) with the longer budget`;
  if (recipe.stages.length !== 1) refuse(`${recipeName} has ${recipe.stages.length} stages, and a later stage was built on the earlier ones as they ended`, `${fresh}, or --from-stage to redo a stage`);
  for (const o of overrides) {
    if (o.path.at(-1) !== 'steps') refuse(`${o.source} changes more than the step budget, and a run's other settings are fixed once it has trained`, fresh);
    const before = valueAt(saved, o.path);
    if (typeof before !== 'number' || typeof o.value !== 'number' || o.value <= before) refuse(`${o.source} must raise ${o.path.join('.')} above the ${String(before)} steps it ran`, `give more than ${String(before)}`);
    const options = valueAt(saved, o.path.slice(0, -1)) as Record<string, unknown> | undefined;
    const schedule = options?.schedule;
    if (schedule !== undefined && schedule !== 'constant') {
      refuse(`its learning rate follows a ${String(schedule)} schedule over ${String(before)} steps; over more steps the finished ones would have had other rates`, `${fresh}, or train with schedule: constant to be able to extend`);
    }
  }
  const store = new CheckpointStore(`${runDir}/checkpoints`, 0);
  if (store.list().length === 0) refuse('it saved no checkpoint to continue from (checkpointEvery 0)', `${fresh}; set checkpointEvery to be able to extend a run`);
  return applyOverrides(saved, [...overrides]);
}
