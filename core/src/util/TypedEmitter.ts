/**
 * A small typed event emitter: `TypedEmitter<{ closed: [reason: string] }>`.
 * Listeners are user code from the emitter's point of view, so their exceptions are contained and
 * reported through `onListenerError` instead of breaking the emitter's caller.
 */
type AnyListener = (...args: never[]) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  #listeners = new Map<keyof Events, Set<AnyListener>>();
  #onListenerError: (error: unknown, event: string) => void;

  constructor(onListenerError?: (error: unknown, event: string) => void) {
    this.#onListenerError = onListenerError ?? ((error) => queueMicrotask(() => { throw error; }));
  }

  on<E extends keyof Events>(event: E, listener: (...args: Events[E] & unknown[]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as unknown as AnyListener);
    return () => this.off(event, listener);
  }

  once<E extends keyof Events>(event: E, listener: (...args: Events[E] & unknown[]) => void): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<E extends keyof Events>(event: E, listener: (...args: Events[E] & unknown[]) => void): void {
    this.#listeners.get(event)?.delete(listener as unknown as AnyListener);
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as (...a: Events[E]) => void)(...args);
      } catch (error) {
        this.#onListenerError(error, String(event));
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
