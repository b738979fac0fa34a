import type { PluginTimers, TimerId } from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';

/** The shortest interval period a plugin gets, in milliseconds. */
const MIN_INTERVAL_MS = 10;

/**
 * Timers owned by the host for one plugin: each callback is contained (a throw is logged), the
 * count is capped, and every timer is released on close. (A sandboxed plugin's timers live in its
 * runner worker, next to its QuickJS instance, with the same rules: `SandboxInstance`.)
 */
export class HostTimers {
  readonly #log: Logger;
  readonly #max: number;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #next = 1;
  #closed = false;

  constructor(log: Logger, max: number) {
    this.#log = log;
    this.#max = max;
  }

  /** The plugin-facing side. */
  api(): PluginTimers {
    return Object.freeze({
      setTimeout: (callback: () => void, ms: number) => this.#add(callback, ms, false),
      setInterval: (callback: () => void, ms: number) => this.#add(callback, Math.max(MIN_INTERVAL_MS, ms), true),
      clear: (id: TimerId) => {
        clearTimeout(this.#timers.get(id));
        this.#timers.delete(id);
      },
    });
  }

  /** Releases every timer; later timers are not started (id 0). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #add(callback: () => void, ms: number, repeat: boolean): TimerId {
    if (this.#closed) return 0;
    if (this.#timers.size >= this.#max) throw new RangeError('too many timers');
    const id = this.#next++;
    const run = (): void => {
      if (!repeat) this.#timers.delete(id);
      try {
        callback();
      } catch (error) {
        this.#log.error({ err: error }, 'timer callback threw');
      }
    };
    this.#timers.set(id, repeat ? setInterval(run, ms) : setTimeout(run, ms));
    return id;
  }
}
