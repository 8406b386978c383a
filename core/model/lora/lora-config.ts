/**
 * LoRA hyperparameters as PEFT's LoraConfig defines them (r, lora_alpha, lora_dropout,
 * target_modules, use_rslora), validated, with the scale every adapted projection applies.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import { z } from 'zod';
import { AttuneError } from '../../base/errors.js';
import { LoraError } from './errors.js';
import { LORA_TARGET_MODULES, normalizeTargetModules } from './targets.js';
import type { LoraTargetModule } from './targets.js';

export interface LoraConfig {
  /** Rank of A [r, in] and B [out, r]. */
  readonly r: number;
  /** lora_alpha: the scale is alpha / r (alpha / √r with rsLoRA). */
  readonly alpha: number;
  /** lora_dropout probability on each adapted projection's input, in [0, 1). */
  readonly dropout: number;
  /** Canonical PEFT names, in decoder order. */
  readonly targetModules: readonly LoraTargetModule[];
  /** rsLoRA (Kalajdzievski 2023): scale alpha / √r keeps the update's size stable across ranks. */
  readonly useRslora: boolean;
}

/** What a recipe or caller may give; everything has PEFT's default except the targets (all seven). */
export const loraConfigInputSchema = z
  .object({
    r: z.number().int().positive().default(8).describe('rank of the LoRA update B·A'),
    alpha: z.number().positive().default(8).describe('scale numerator: the update is scaled by alpha/r (alpha/√r with rsLoRA)'),
    dropout: z.number().min(0).lt(1).default(0).describe('dropout on the LoRA input, per adapted module'),
    targetModules: z
      .union([z.array(z.string()), z.string()])
      .default([...LORA_TARGET_MODULES])
      // The same check a run makes when it builds the adapter, so `validate` catches it first.
      .superRefine((names, ctx) => {
        try {
          normalizeTargetModules(names, 'targetModules');
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof AttuneError ? error.describe().replace(/\n\s*→\s*/, '; ') : String(error) });
        }
      })
      .describe('projections to adapt (q_proj k_proj v_proj o_proj gate_proj up_proj down_proj), or "all-linear"'),
    useRslora: z.boolean().default(false).describe('rank-stabilized LoRA scaling alpha/√r'),
  })
  .strict();

export type LoraConfigInput = z.input<typeof loraConfigInputSchema>;

/** Validates and normalizes; `where` names the config (file and key) in errors. */
export function loraConfig(input: LoraConfigInput = {}, where = 'lora'): LoraConfig {
  // Its own error names the full key (`recipe.lora.targetModules`), which the schema's check cannot.
  if (input.targetModules !== undefined) normalizeTargetModules(input.targetModules, `${where}.targetModules`);
  const parsed = loraConfigInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || '(root)';
    throw new LoraError(`${where}: key "${key}": ${issue ? describeZodIssue(issue) : 'invalid'}`, 'LoRA settings: r (int > 0), alpha (> 0), dropout in [0, 1), targetModules, useRslora');
  }
  const c = parsed.data;
  return { r: c.r, alpha: c.alpha, dropout: c.dropout, targetModules: normalizeTargetModules(c.targetModules, `${where}.targetModules`), useRslora: c.useRslora };
}

/** The factor on B·A: alpha / r, or alpha / √r with rsLoRA (as PEFT). */
export function loraScale(c: Pick<LoraConfig, 'r' | 'alpha' | 'useRslora'>): number {
  return c.useRslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r;
}
