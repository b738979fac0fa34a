// The bench's Janus API client, for load generation. The repository has a second one,
// tests/support/janusClient.ts, on purpose; they differ where a test and a load generator want
// opposite things:
// - here one WebSocket carries every session of a ramp (hundreds to a thousand sessions, session
//   ids passed per call), where a test client is one session over WebSocket or HTTP long poll;
// - here nothing is kept per message: unsolicited events go to `onEvent` and are dropped, where the
//   test client records every event for its `waitForEvent` assertions (a log that would grow
//   through a soak and show up in the memory the bench measures);
// - here no timer per request and counter transactions (thousands in flight), where the test
//   client times out each request and makes janus.js-style random transactions;
// - here `message` resolves the ack and its event together and turns a plugin `error_code` into a
//   rejection, which is what a ramp step needs; tests assert on the ack, the event and the error
//   separately.
// Merging them would give one of the two callers what it must not have. Both speak the same wire
// protocol (shared/janus-api.md §1); a change to it is made in both.
import WebSocket from 'ws';

/** A Janus API message as it comes off the wire (only the fields the bench reads are typed). */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
  [key: string]: unknown;
}

/** A JSEP offer or answer as the Janus API carries it. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

/** A request the gateway answered with `janus: "error"` or a plugin `error_code`. */
export class JanusRequestError extends Error {
  override name = 'JanusRequestError';
  readonly code: number;
  constructor(code: number, reason: string) {
    super(`Janus error ${code}: ${reason}`);
    this.code = code;
  }
}

/** The WebSocket closed (or `close()` was called) before the reply arrived. */
export class JanusClientClosedError extends Error {
  override name = 'JanusClientClosedError';
}

/** The asynchronous plugin message's two replies: the `ack` and the `event` carrying the result. */
export interface MessageReplies {
  ack: JanusMessage;
  event: JanusMessage;
}

interface Pending {
  /** Takes one reply for this transaction; returns true when the transaction is complete. */
  take(message: JanusMessage): boolean;
  reject(error: Error): void;
}

/**
 * A minimal Janus API client over WebSocket (subprotocol `janus-protocol`) for load generation: one
 * socket, many sessions and transactions in flight, each request a promise. Not a janus.js
 * replacement: keepalives are the caller's (`keepalive()`), JSEP travels as given, and
 * unsolicited events (webrtcup, media, hangup, plugin notifications) go to `onEvent`.
 */
export class JanusWsClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<string, Pending>();
  #nextTransaction = 0;
  #closed = false;
  /** Called with every message that answers no transaction of ours (default: ignored). */
  onEvent: (message: JanusMessage) => void = () => undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (raw: WebSocket.RawData) => this.#onFrame(raw));
    socket.on('close', () => this.#failAll(new JanusClientClosedError('WebSocket closed')));
    // An 'error' is always followed by 'close', which rejects what is pending; listening stops ws from throwing.
    socket.on('error', () => undefined);
  }

  /** Opens a WebSocket to `url` (e.g. `ws://127.0.0.1:8188/`) and resolves once it is open. */
  static connect(url: string): Promise<JanusWsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'janus-protocol', { perMessageDeflate: false });
      socket.once('open', () => {
        socket.off('error', reject);
        resolve(new JanusWsClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** `create`: resolves with the new session id. */
  async createSession(): Promise<number> {
    const reply = await this.#request({ janus: 'create' });
    return idOf(reply, 'create');
  }

  /** `attach` to `plugin` (e.g. `janus.plugin.echotest`): resolves with the handle id. */
  async attach(sessionId: number, plugin: string): Promise<number> {
    const reply = await this.#request({ janus: 'attach', session_id: sessionId, plugin });
    return idOf(reply, 'attach');
  }

  /**
   * `message` to an asynchronous plugin request: resolves once both the `ack` and the `event` with
   * the same transaction have arrived (in either order), rejects on an error or a plugin `error_code`.
   */
  message(sessionId: number, handleId: number, body: Record<string, unknown>, jsep?: Jsep): Promise<MessageReplies> {
    let ack: JanusMessage | undefined;
    let event: JanusMessage | undefined;
    return new Promise((resolve, reject) => {
      this.#send(
        { janus: 'message', session_id: sessionId, handle_id: handleId, body, ...(jsep ? { jsep } : {}) },
        {
          take(message) {
            if (message.janus === 'ack') ack = message;
            else if (message.janus === 'event') {
              const data = message.plugindata?.data;
              if (data && typeof data.error_code === 'number') {
                reject(new JanusRequestError(data.error_code, String(data.error)));
                return true;
              }
              event = message;
            } else {
              reject(errorOf(message));
              return true;
            }
            if (ack && event) resolve({ ack, event });
            return ack !== undefined && event !== undefined;
          },
          reject,
        },
      );
    });
  }

  /**
   * `message` to a synchronous plugin request (e.g. videoroom `create`): resolves with the plugin's
   * `data` from the `success` reply, rejects on an error or a plugin `error_code`.
   */
  async messageSync(sessionId: number, handleId: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await this.#request({ janus: 'message', session_id: sessionId, handle_id: handleId, body });
    const data = reply.plugindata?.data ?? {};
    if (typeof data.error_code === 'number') throw new JanusRequestError(data.error_code, String(data.error));
    return data;
  }

  /** `trickle` `{completed: true}`: every candidate was in the SDP (half-trickle). Resolves on the ack. */
  async trickleCompleted(sessionId: number, handleId: number): Promise<void> {
    await this.#request({ janus: 'trickle', session_id: sessionId, handle_id: handleId, candidate: { completed: true } }, 'ack');
  }

  /** `keepalive` for a session; resolves on the ack. */
  async keepalive(sessionId: number): Promise<void> {
    await this.#request({ janus: 'keepalive', session_id: sessionId }, 'ack');
  }

  /** `detach` a handle. */
  async detach(sessionId: number, handleId: number): Promise<void> {
    await this.#request({ janus: 'detach', session_id: sessionId, handle_id: handleId });
  }

  /** `destroy` a session. */
  async destroy(sessionId: number): Promise<void> {
    await this.#request({ janus: 'destroy', session_id: sessionId });
  }

  /** Closes the socket and rejects every request still in flight. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new JanusClientClosedError('client closed'));
    this.#socket.close();
  }

  /** A synchronous request: resolves with its `success` (or `ack` when `reply` says so), rejects on `error`. */
  #request(request: Record<string, unknown>, reply: 'success' | 'ack' = 'success'): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      this.#send(request, {
        take(message) {
          if (message.janus === 'ack' && reply !== 'ack') return false;
          if (message.janus === reply) resolve(message);
          else reject(errorOf(message));
          return true;
        },
        reject,
      });
    });
  }

  #send(request: Record<string, unknown>, pending: Pending): void {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) {
      pending.reject(new JanusClientClosedError('WebSocket is not open'));
      return;
    }
    const transaction = `b${(this.#nextTransaction++).toString(36)}`;
    this.#pending.set(transaction, pending);
    this.#socket.send(JSON.stringify({ ...request, transaction }));
  }

  #onFrame(raw: WebSocket.RawData): void {
    // binaryType is the default 'nodebuffer', so frames are Buffers; the other RawData shapes for completeness.
    const text = Buffer.isBuffer(raw) ? raw.toString() : Array.isArray(raw) ? Buffer.concat(raw).toString() : Buffer.from(raw).toString();
    const message = JSON.parse(text) as JanusMessage;
    const transaction = message.transaction;
    const pending = transaction === undefined ? undefined : this.#pending.get(transaction);
    if (!pending) {
      this.onEvent(message);
      return;
    }
    if (pending.take(message)) this.#pending.delete(transaction as string);
  }

  #failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }
}

function idOf(reply: JanusMessage, request: string): number {
  const id = reply.data?.id;
  if (typeof id !== 'number') throw new JanusRequestError(0, `${request}: success without data.id`);
  return id;
}

function errorOf(message: JanusMessage): JanusRequestError {
  return message.error
    ? new JanusRequestError(message.error.code, message.error.reason)
    : new JanusRequestError(0, `unexpected reply '${message.janus}'`);
}

/**
 * Runs a request that names a new feed, retrying while the gateway answers 428 "No such feed":
 * Janus lists a publisher for subscription only once its own side of the PeerConnection is up,
 * a little after the publisher's PeerConnection is connected on ours.
 */
export async function whileNoSuchFeed<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof JanusRequestError) || error.code !== 428 || attempt >= 25) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
