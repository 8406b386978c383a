/** `generation_config.json` (optional): default decoding settings and stop tokens. */
import { z } from 'zod';
import { parseWith } from './json-file.js';

export interface GenerationConfig {
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  doSample: boolean | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  repetitionPenalty: number | null;
  maxNewTokens: number | null;
  raw: Record<string, unknown>;
}

const id = z.number().int().nonnegative().nullable().optional();
const schema = z
  .object({
    bos_token_id: id,
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullable().optional(),
    pad_token_id: id,
    do_sample: z.boolean().optional(),
    temperature: z.number().nonnegative().nullable().optional(),
    top_p: z.number().positive().max(1).nullable().optional(),
    top_k: z.number().int().nonnegative().nullable().optional(),
    repetition_penalty: z.number().positive().nullable().optional(),
    max_new_tokens: z.number().int().positive().nullable().optional(),
  })
  .loose();

export function parseGenerationConfig(value: unknown, file: string): GenerationConfig {
  const g = parseWith(schema, value, file);
  const eos = g.eos_token_id;
  return {
    bosTokenId: g.bos_token_id ?? null,
    eosTokenIds: eos === null || eos === undefined ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: g.pad_token_id ?? null,
    doSample: g.do_sample ?? null,
    temperature: g.temperature ?? null,
    topP: g.top_p ?? null,
    topK: g.top_k ?? null,
    repetitionPenalty: g.repetition_penalty ?? null,
    maxNewTokens: g.max_new_tokens ?? null,
    raw: { ...(value as Record<string, unknown>) },
  };
}
