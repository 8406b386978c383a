/**
 * Errors in OpenAI's shape — {"error": {"message", "type", "param", "code"}} — so clients written
 * for OpenAI (and vLLM) read them; every 4xx says what was wrong and with which field.
 */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export function errorBody(status: number, message: string, param: string | null = null, code: string | null = null): OpenAiErrorBody {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return { error: { message, type, param, code } };
}
