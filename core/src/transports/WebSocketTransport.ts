import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../util/logger.ts';
import type { EventSink, JanusMessage, RequestContext } from '../api/ApiTypes.ts';
import { parseJsonFrames } from './jsonFrames.ts';

/** What a WebSocket transport serves: the Janus API or the Admin API. */
export interface WsApi {
  handle(request: unknown, ctx: RequestContext): Promise<JanusMessage>;
  invalidJson(reason?: string): JanusMessage;
  sinkGone(sink: EventSink): void;
}

export interface WebSocketTransportOptions {
  ip: string;
  port: number;
  /** Subprotocol to require and echo: `janus-protocol` or `janus-admin-protocol`. */
  protocol: string;
  maxPayload: number;
  /** An existing HTTP server to attach to instead of listening (the admin port shares one). */
  server?: Server;
}

/** A socket whose unsent data exceeds this is too slow to keep; it is closed (bounded memory). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

let nextConnection = 1;

/** One WebSocket connection: the sink of the sessions it created or claimed. */
class WsConnection implements EventSink {
  readonly id = `ws-${nextConnection++}`;
  readonly transport = 'websocket' as const;
  readonly #socket: WebSocket;

  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  send(message: JanusMessage): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#socket.close(1008, 'too slow');
      return;
    }
    this.#socket.send(JSON.stringify(message));
  }
}

/**
 * The Janus API over WebSocket (`ws`), subprotocol `janus-protocol` (shared/janus-api.md §1.1):
 * the URL path is ignored, replies and async messages are one JSON object per text frame, and a
 * closed socket destroys the sessions it owned.
 */
export class WebSocketTransport {
  readonly #options: WebSocketTransportOptions;
  readonly #api: WsApi;
  readonly #log: Logger;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #closed = false;

  constructor(options: WebSocketTransportOptions, api: WsApi, log: Logger) {
    this.#options = options;
    this.#api = api;
    this.#log = log.child({ transport: options.protocol });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    const own = this.#options.server === undefined;
    const server = this.#options.server ?? createServer((_req, res) => res.writeHead(426).end());
    this.#server = server;
    const protocol = this.#options.protocol;
    this.#wss = new WebSocketServer({
      server,
      maxPayload: this.#options.maxPayload,
      // Janus (libwebsockets) refuses a handshake that names no subprotocol, and one without ours
      // has no protocol to be served by; `handleProtocols` alone would let both through unechoed.
      verifyClient: ({ req }, done) => {
        const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
        if (offered.includes(protocol)) done(true);
        else done(false, 400, `Subprotocol ${protocol} required`);
      },
      handleProtocols: (protocols) => (protocols.has(protocol) ? protocol : false),
    });
    this.#wss.on('connection', (socket) => this.#onConnection(socket));
    // ws re-emits its server's errors here; a failed accept (EMFILE) must not end the process.
    this.#wss.on('error', (error) => this.#log.warn({ err: error }, 'websocket server error'));
    if (own) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#options.port, this.#options.ip, () => {
          server.off('error', reject);
          server.on('error', (error) => this.#log.warn({ err: error }, 'server error'));
          resolve();
        });
      });
    }
    return (server.address() as AddressInfo).port;
  }

  #onConnection(socket: WebSocket): void {
    const connection = new WsConnection(socket);
    const ctx: RequestContext = { sinkFor: () => connection };
    socket.on('message', (data, isBinary) => {
      // A text frame arrives as one Buffer (ws's default binaryType 'nodebuffer' joins fragments).
      const text = isBinary ? '' : (data as Buffer).toString('utf8');
      const values = isBinary ? undefined : parseJsonFrames(text);
      if (!values) {
        connection.send(this.#api.invalidJson());
        return;
      }
      // Each reply goes out when ready, so a slow plugin request never holds back a trickle's ack
      // (Janus runs `message` on a thread pool and the rest inline: acks may overtake, §2.7).
      for (const value of values) {
        this.#api.handle(value, ctx).then(
          (reply) => connection.send(reply),
          (error: unknown) => this.#log.error({ err: error }, 'request failed'),
        );
      }
    });
    socket.on('close', () => this.#api.sinkGone(connection));
    socket.on('error', (error) => this.#log.debug({ err: error }, 'socket error'));
  }

  /** Closes every socket and the listener. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.#wss ? this.#wss.close(() => resolve()) : resolve()));
    if (this.#options.server === undefined && this.#server) {
      const server = this.#server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
