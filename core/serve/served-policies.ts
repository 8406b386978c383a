/**
 * The decoding policies a server offers: the default (from --policy, or none: plain generation)
 * and, per request (`policy` field), any decoding item with its default options — created on
 * first use and kept. `none` asks for plain generation whatever the default.
 */
import type { DecodingPolicy } from '../kernel/extension-points/decoding-policy.js';
import { HttpError } from './openai-errors.js';

export interface ServedPolicy {
  readonly key: string;
  readonly instance: DecodingPolicy;
}

export class ServedPolicies {
  private readonly created = new Map<string, Promise<ServedPolicy>>();

  constructor(
    /** null: plain generation. */
    readonly defaultPolicy: ServedPolicy | null,
    /** Decoding items a request may name. */
    readonly names: readonly string[],
    private readonly create: (use: string) => Promise<DecodingPolicy>,
  ) {}

  async resolve(name: string | undefined): Promise<ServedPolicy | null> {
    if (name === undefined) return this.defaultPolicy;
    if (name === 'none') return null;
    if (this.defaultPolicy && name === this.defaultPolicy.key) return this.defaultPolicy;
    if (!this.names.includes(name)) throw new HttpError(400, `unknown decoding policy '${name}' (this server offers: none, ${this.names.join(', ')})`, 'policy');
    let p = this.created.get(name);
    if (!p) {
      p = this.create(name).then((instance) => ({ key: name, instance }));
      this.created.set(name, p);
      p.catch(() => this.created.delete(name));
    }
    return p;
  }

  async dispose(): Promise<void> {
    await this.defaultPolicy?.instance.dispose?.();
    for (const p of this.created.values()) await (await p.catch(() => undefined))?.instance.dispose?.();
  }
}
