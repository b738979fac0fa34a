/**
 * Stored tokens for Janus API authentication (Janus `token_auth`, shared/janus-api.md §6.2): the
 * Admin API adds and removes tokens and the plugins each may attach to; the Janus API checks a
 * request's `token` against them. In memory, as Janus keeps them.
 */
export class TokenStore {
  /** token → names of the plugins it may attach to. */
  readonly #tokens = new Map<string, Set<string>>();

  has(token: string): boolean {
    return this.#tokens.has(token);
  }

  /** Adds a token allowed `plugins` (Janus: all plugins loaded now, when none are listed). False if it exists. */
  add(token: string, plugins: string[]): boolean {
    if (this.#tokens.has(token)) return false;
    this.#tokens.set(token, new Set(plugins));
    return true;
  }

  /** Allows more plugins; false for an unknown token. */
  allow(token: string, plugins: string[]): boolean {
    const allowed = this.#tokens.get(token);
    if (!allowed) return false;
    for (const p of plugins) allowed.add(p);
    return true;
  }

  /** Disallows plugins; false for an unknown token. */
  disallow(token: string, plugins: string[]): boolean {
    const allowed = this.#tokens.get(token);
    if (!allowed) return false;
    for (const p of plugins) allowed.delete(p);
    return true;
  }

  remove(token: string): boolean {
    return this.#tokens.delete(token);
  }

  /** Whether `token` may attach to `plugin`. */
  allows(token: string, plugin: string): boolean {
    return this.#tokens.get(token)?.has(plugin) ?? false;
  }

  /** The plugins a token may attach to. */
  pluginsOf(token: string): string[] {
    return [...(this.#tokens.get(token) ?? [])];
  }

  list(): string[] {
    return [...this.#tokens.keys()];
  }
}
