import type { EventSink, JanusMessage } from '../api/ApiTypes.ts';

interface Waiter {
  maxev: number;
  /** Hands messages to a waiting poll; false when its client is already gone (they stay queued). */
  deliver(messages: JanusMessage[]): boolean;
}

/**
 * The per-session event queue of the HTTP transport (shared/janus-api.md §1.2): async messages wait
 * here, in order, until a long poll takes up to `maxev` of them. Bounded: beyond `limit` the oldest
 * are dropped and counted.
 */
export class LongPollQueue implements EventSink {
  readonly id: string;
  readonly transport = 'http' as const;
  readonly #limit: number;
  readonly #onGone: (sessionId: number) => void;
  #queue: JanusMessage[] = [];
  #waiters: Waiter[] = [];
  dropped = 0;

  constructor(sessionId: number, limit: number, onGone: (sessionId: number) => void) {
    this.id = `http-${sessionId}`;
    this.#limit = limit;
    this.#onGone = onGone;
  }

  send(message: JanusMessage): void {
    for (let waiter = this.#waiters.shift(); waiter; waiter = this.#waiters.shift()) {
      if (waiter.deliver([message])) return;
    }
    if (this.#queue.length >= this.#limit) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(message);
  }

  sessionGone(sessionId: number): void {
    this.#onGone(sessionId);
  }

  /** Takes up to `maxev` queued messages now, or registers `deliver` for the next one. */
  poll(maxev: number, deliver: (messages: JanusMessage[]) => boolean): (() => void) | undefined {
    if (this.#queue.length > 0) {
      deliver(this.#queue.splice(0, maxev));
      return undefined;
    }
    const waiter: Waiter = { maxev, deliver };
    this.#waiters.push(waiter);
    return () => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    };
  }

  /** Answers every waiting poll with what is queued (or nothing). */
  flushWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) {
      const messages = this.#queue.splice(0, waiter.maxev);
      if (!waiter.deliver(messages)) this.#queue.unshift(...messages);
    }
  }

  get size(): number {
    return this.#queue.length;
  }
}
