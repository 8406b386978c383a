/**
 * Options shared by the sources that expand dialogues into one example per helper turn
 * (see `core/data/dialogue.ts`); each source adds them to `commonSourceOptions`.
 */
import { z } from 'zod';

/** `helperTurn` names the helper's turns as the source's people know them ('listener turn', 'supporter turn'). */
export function expansionOption(helperTurn: string, note = '') {
  return z
    .enum(['every-helper-turn', 'last-helper-turn'])
    .default('every-helper-turn')
    .describe(`one example per ${helperTurn}, or only the last ${helperTurn} of each conversation${note}`);
}

export const maxHistoryTurnsOption = z.number().int().min(0).default(0).describe('keep only the latest N turns of history (0 = all)');
