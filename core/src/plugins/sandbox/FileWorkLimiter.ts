// Bounds the file work that sandboxed plugins trigger. Every `node:fs` call runs on libuv's thread
// pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which the whole process shares: the
// static demo pages, the plugin store, DNS lookups and crypto use it too. A plugin that could start
// many slow file operations (a FIFO, a hung mount, a large file) would stall all of them. So the
// plugin file work of the whole gateway goes through one limiter: at most `concurrency` operations
// hold a pool thread at once, callers wait in a bounded queue, and each caller gives up after
// `timeoutMs`.

/** A plugin file operation that did not finish in time (its caller gets this; the work may still run). */
export class FileWorkTimeoutError extends Error {
  override name = 'FileWorkTimeoutError';
}

/** More plugin file operations are waiting than the queue holds. */
export class FileWorkBusyError extends Error {
  override name = 'FileWorkBusyError';
}

export interface FileWorkLimiterOptions {
  /**
   * Most operations running at once, gateway-wide (default 2: half of libuv's default pool of 4,
   * so the rest of the gateway always keeps at least 2 threads).
   */
  concurrency?: number;
  /** Most operations waiting for a slot (default 256); beyond it a call fails at once with FileWorkBusyError. */
  maxQueued?: number;
  /** A caller's bound, in ms, waiting in the queue included (default 5000). */
  timeoutMs?: number;
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * At most `concurrency` plugin file operations at a time, each bounded by `timeoutMs`.
 *
 * A timed-out operation's caller is answered at once, but its slot stays taken until the operation
 * really ends: the libuv thread is still busy (a thread-pool request cannot be cancelled), and
 * freeing the slot early would let repeated stuck operations take every pool thread. A stuck
 * filesystem can therefore starve plugin file work, never the rest of the gateway.
 */
export class FileWorkLimiter {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly timeoutMs: number;
  readonly #queue: Waiter[] = [];
  #running = 0;

  constructor(options: FileWorkLimiterOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxQueued = Math.max(0, options.maxQueued ?? 256);
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Operations holding a slot now (timed-out ones still running included). */
  get running(): number {
    return this.#running;
  }

  /** Operations waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `work` in a slot. Rejects with FileWorkTimeoutError after `timeoutMs` (queueing included)
   * and FileWorkBusyError when the queue is full. When the caller was already answered with a
   * timeout and `work` later resolves, `dispose` receives the value (to close what it opened).
   */
  run<T>(label: string, work: () => Promise<T>, dispose?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const fail = (error: Error): void => {
        if (answered) return;
        answered = true;
        reject(error);
      };
      const begin = (): void => {
        this.#running++;
        let result: Promise<T>;
        try {
          result = work();
        } catch (error) {
          result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
        result.then(
          (value) => {
            this.#release();
            clearTimeout(timer);
            if (answered) dispose?.(value);
            else {
              answered = true;
              resolve(value);
            }
          },
          (error: unknown) => {
            this.#release();
            clearTimeout(timer);
            fail(error instanceof Error ? error : new Error(String(error)));
          },
        );
      };
      const timer = setTimeout(() => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        fail(new FileWorkTimeoutError(`${label} did not finish within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const waiter: Waiter = { start: begin, timer };
      if (this.#running < this.concurrency) begin();
      else if (this.#queue.length >= this.maxQueued) {
        clearTimeout(timer);
        fail(new FileWorkBusyError(`too many plugin file operations waiting (${this.maxQueued})`));
      } else this.#queue.push(waiter);
    });
  }

  #release(): void {
    this.#running--;
    const next = this.#queue.shift();
    next?.start();
  }
}

/** The limiter all sandboxed plugins of this process share (see FileWorkLimiter for the bounds). */
export const pluginFileWork = new FileWorkLimiter();
