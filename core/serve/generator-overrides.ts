/**
 * A TextGenerator whose calls take some settings from outside the policy: a request's
 * max_tokens, temperature, top_p, stop and seed (serving), or a command's --seed. The policy
 * still chooses its prompts and the rest of its settings; `maxNewTokens` is a cap, never raised.
 */
import type { GenerationParams, TextGenerator } from '../kernel/extension-points/decoding-policy.js';

export type ParamOverrides = Partial<GenerationParams>;

export function withParamOverrides(generator: TextGenerator, overrides: ParamOverrides): TextGenerator {
  const wrapped: TextGenerator = {
    generate: (conversations, request) => {
      const params: GenerationParams = { ...request.params };
      for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (params as unknown as Record<string, unknown>)[key] = value;
      if (overrides.maxNewTokens !== undefined) params.maxNewTokens = Math.min(overrides.maxNewTokens, request.params.maxNewTokens);
      return generator.generate(conversations, { ...request, params });
    },
    ...(generator.headLabels ? { headLabels: generator.headLabels } : {}),
    ...(generator.readHeads ? { readHeads: generator.readHeads.bind(generator) } : {}),
  };
  return wrapped;
}
