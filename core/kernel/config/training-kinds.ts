/**
 * The config-time check that objectives and trainers agree on their kind of training: wherever a
 * config object holds a `trainer` item and an `objectives` list (a recipe's top level, a stage of a
 * multi-stage recipe), each objective's declared kind must be the trainer's. A mismatch is a
 * config error at `…objectives.N.use`, not a duck-typing failure deep inside a recipe.
 */
import type { z } from 'zod';
import type { ItemRef } from './item-ref.js';
import type { ItemRegistries } from '../plugins/registries.js';

/** A validated item reference (of `kind`, or of any kind). */
function isRef(value: unknown, kind?: string): value is ItemRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as ItemRef;
  return typeof ref.use === 'string' && typeof ref.kind === 'string' && (kind === undefined || ref.kind === kind);
}

export function checkTrainingKinds(registries: ItemRegistries, value: unknown, ctx: z.core.$RefinementCtx, path: PropertyKey[] = []): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkTrainingKinds(registries, v, ctx, [...path, i]));
    return;
  }
  const record = value as Record<string, unknown>;
  const trainer = record.trainer;
  const objectives = record.objectives;
  if (isRef(trainer, 'trainers') && Array.isArray(objectives)) {
    const trainerKind = registries.trainers.resolve(trainer.use).value.kind;
    objectives.forEach((o, i) => {
      if (!isRef(o, 'objectives') || trainerKind === undefined) return;
      const kind = registries.objectives.resolve(o.use).value.kind;
      if (kind !== trainerKind) {
        ctx.addIssue({
          code: 'custom',
          message: `'${o.use}' is ${kind ? `a ${kind}` : 'an untyped'} objective, but the trainer '${trainer.use}' runs ${trainerKind} training. Use ${trainerKind} objectives with it, or a ${kind ?? 'matching'} trainer.`,
          path: [...path, 'objectives', i, 'use'],
        });
      }
    });
  }
  // Item references are leaves here: their options were checked against their own schemas.
  for (const [key, v] of Object.entries(record)) if (!isRef(v)) checkTrainingKinds(registries, v, ctx, [...path, key]);
}
