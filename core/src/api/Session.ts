import type { EventSink, JanusMessage } from './ApiTypes.ts';
import type { Handle } from './Handle.ts';

/** A Janus session: owns handles, bound to the sink that created or last claimed it. */
export class Session {
  readonly id: number;
  readonly handles = new Map<number, Handle>();
  sink: EventSink;
  /** Monotonic ms of the last request or long poll. */
  lastActivity: number;
  /** Set when the sink went away and the session waits for a `claim` (monotonic ms deadline). */
  reclaimDeadline: number | undefined;
  #destroyed = false;

  constructor(id: number, sink: EventSink, now: number) {
    this.id = id;
    this.sink = sink;
    this.lastActivity = now;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Marks the session destroyed; it sends nothing afterwards. Idempotent. */
  markDestroyed(): void {
    this.#destroyed = true;
  }

  /** Sends an async message to the client, stamped with `session_id`. Dropped after destroy. */
  send(message: JanusMessage): void {
    if (this.#destroyed) return;
    this.sink.send({ ...message, session_id: this.id });
  }
}
