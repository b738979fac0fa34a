type Listener = (...args: unknown[]) => void;

/** A typed event emitter for the studio's models: `Emitter<{ changed: [Plugin[]] }>`. */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const stored = listener as unknown as Listener;
    set.add(stored);
    return () => set.delete(stored);
  }

  /** Calls every listener; one that throws is reported and the others still run. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
