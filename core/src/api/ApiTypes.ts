import type { Json } from '@cardea/plugin-sdk';

/** A message of the Janus API, either direction: `janus` names it, the rest is JSON. */
export interface JanusMessage {
  janus: string;
  [field: string]: Json | undefined;
}

/**
 * Where a session's asynchronous messages go: a WebSocket connection, or an HTTP long-poll queue.
 * Implemented by the transports.
 */
export interface EventSink {
  /** Stable id of the connection or queue (for logs and the Admin API). */
  readonly id: string;
  /** Transport name: `websocket` or `http`. */
  readonly transport: 'websocket' | 'http' | 'internal';
  send(message: JanusMessage): void;
  /** The session left this sink (destroyed, timed out, or claimed elsewhere). */
  sessionGone?(sessionId: number): void;
}

/** Context of one request: how to reach the requester for async messages. */
export interface RequestContext {
  /** The sink that a session created or claimed by this request will use. */
  sinkFor(sessionId: number): EventSink;
}
