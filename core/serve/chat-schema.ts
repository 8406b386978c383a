/**
 * JSON schemas of the request bodies (Fastify validates against them before a handler runs, so a
 * bad field is a 400 naming it). Bounds come from the server's limits.
 */
export interface ServeLimits {
  /** Request body, bytes. */
  readonly bodyBytes: number;
  readonly messages: number;
  /** Characters per message. */
  readonly messageChars: number;
  readonly maxTokens: number;
  /** Choices per request (`n`). */
  readonly n: number;
  /** Rows per generation batch. */
  readonly batch: number;
  /** Requests waiting at most. */
  readonly queue: number;
}

export const DEFAULT_LIMITS: ServeLimits = { bodyBytes: 1 << 20, messages: 64, messageChars: 32_000, maxTokens: 1024, n: 4, batch: 8, queue: 64 };

export function chatCompletionSchema(limits: ServeLimits): Record<string, unknown> {
  const content = {
    anyOf: [
      { type: 'string', maxLength: limits.messageChars },
      {
        type: 'array',
        maxItems: 64,
        items: { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string', maxLength: limits.messageChars } } },
      },
    ],
  };
  return {
    type: 'object',
    required: ['model', 'messages'],
    properties: {
      model: { type: 'string', minLength: 1, maxLength: 256 },
      messages: {
        type: 'array',
        minItems: 1,
        maxItems: limits.messages,
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: { role: { enum: ['system', 'developer', 'user', 'assistant'] }, content, name: { type: 'string' } },
        },
      },
      max_tokens: { type: ['integer', 'null'], minimum: 1, maximum: limits.maxTokens },
      max_completion_tokens: { type: ['integer', 'null'], minimum: 1, maximum: limits.maxTokens },
      temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
      top_p: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 },
      stop: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', maxItems: 4, items: { type: 'string', minLength: 1 } }, { type: 'null' }] },
      seed: { type: ['integer', 'null'], minimum: 0, maximum: 4294967295 },
      n: { type: ['integer', 'null'], minimum: 1, maximum: limits.n },
      stream: { type: ['boolean', 'null'] },
      stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
      policy: { type: 'string', minLength: 1, maxLength: 200 },
      logprobs: { type: ['boolean', 'null'] },
      top_logprobs: { type: ['integer', 'null'], minimum: 0, maximum: 0 },
      // vLLM's sampling extensions.
      top_k: { type: ['integer', 'null'], minimum: -1 },
      repetition_penalty: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 10 },
      return_token_ids: { type: ['boolean', 'null'] },
    },
  };
}

export const loadAdapterSchema = {
  type: 'object',
  required: ['lora_name', 'lora_path'],
  properties: { lora_name: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s/]+$' }, lora_path: { type: 'string', minLength: 1, maxLength: 4096 } },
};

export const unloadAdapterSchema = {
  type: 'object',
  required: ['lora_name'],
  properties: { lora_name: { type: 'string', minLength: 1, maxLength: 200 } },
};

export interface ChatCompletionBody {
  model: string;
  messages: { role: 'system' | 'developer' | 'user' | 'assistant'; content: string | { type: 'text'; text: string }[] }[];
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  n?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  policy?: string;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  top_k?: number | null;
  repetition_penalty?: number | null;
  return_token_ids?: boolean | null;
}
