/**
 * Errors a user can act on. Every AttuneError says what went wrong, where, and what to do;
 * the CLI prints `message` and the hint without a stack trace.
 */
export class AttuneError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'AttuneError';
  }

  /** The message with its hint, as the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

export class PluginError extends AttuneError {
  override name = 'PluginError';
}

export class ConfigError extends AttuneError {
  override name = 'ConfigError';
}

export class RecipeError extends AttuneError {
  override name = 'RecipeError';
}
