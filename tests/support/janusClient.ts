// A small Janus API client for tests, over WebSocket or HTTP long poll, with one
// interface for both (shared/janus-api.md §1, §2). It speaks the wire protocol the way janus.js
// does: `janus-protocol` subprotocol on WebSocket; on HTTP, ids in the path, async messages from a
// `GET /janus/{S}?maxev=10` loop re-issued as soon as each answer arrives.
//
//   const client = await connectJanus('ws', gw.wsUrl);
//   await client.create();
//   const handle = await client.attach('janus.plugin.echotest');
//   await client.message(handle, { audio: true });           // resolves with the `ack`
//   await client.waitForEvent((m) => m.janus === 'event', 5000);
//   await client.close();
//
// Why the bench has its own client (bench/src/load/JanusWsClient.ts): this one records every event
// for assertions, times out each request, speaks HTTP too, and holds one session; the bench's
// multiplexes a whole ramp's sessions over one WebSocket and keeps nothing per message. The header
// of that file lists the differences; a change to the wire protocol is made in both.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** A Janus API message as received: `janus` names it; the other fields depend on it. */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  /** Handle id, on every handle-scoped message from the gateway. */
  sender?: number;
  data?: { id?: number; [key: string]: unknown };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
  [key: string]: unknown;
}

/** An SDP offer or answer as the Janus API carries it. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  e2ee?: boolean;
}

/** A trickled candidate; `null` or `{ completed: true }` ends the candidates. */
export type TrickleCandidate = { candidate: string; sdpMid?: string; sdpMLineIndex?: number } | { completed: true } | null;

/** A request as sent: any JSON object; `transaction` is added when absent. */
export type JanusRequest = Record<string, unknown>;

/** Options shared by both transports. */
export interface JanusClientOptions {
  /** Added as `apisecret` to every request and long poll (default: none). */
  apiSecret?: string;
  /** Added as `token` to every request and long poll (default: none). */
  token?: string;
  /** Milliseconds a request waits for its direct reply before it rejects (default 10000). */
  requestTimeoutMs?: number;
  /** HTTP only: `maxev` of the long poll (default 10, as janus.js). */
  maxev?: number;
}

/** A request answered with `{"janus":"error"}`: `reply` holds the error message as received. */
export class JanusRequestError extends Error {
  override name = 'JanusRequestError';
  readonly reply: JanusMessage;

  constructor(reply: JanusMessage) {
    super(`Janus error ${reply.error?.code ?? '?'}: ${reply.error?.reason ?? 'no reason'}`);
    this.reply = reply;
  }

  /** The Janus error code (e.g. 458), or 0 if the reply had none. */
  get code(): number {
    return this.reply.error?.code ?? 0;
  }
}

/** The same client API over either transport. Verbs reject with `JanusRequestError` on `error`. */
export interface JanusClient {
  readonly transport: 'ws' | 'http';
  /** The session created or claimed last, until `destroy`. */
  readonly sessionId: number | undefined;
  /**
   * Every async message received, in order: `event`, `webrtcup`, `media`, `hangup`, `detached`,
   * `timeout`, `trickle`, and errors without a pending transaction (the 454 of a bad frame).
   * Direct replies (`ack`, `success`, `error`, `server_info`, `pong`) go to their request instead.
   * HTTP long-poll `keepalive`s are transport noise and are not recorded.
   */
  readonly events: JanusMessage[];
  /** `create`: resolves with the new session id and makes it the client's session. */
  create(id?: number): Promise<number>;
  /** `attach`: resolves with the handle id. */
  attach(plugin: string, opaqueId?: string): Promise<number>;
  /** `message`: resolves with the direct reply, `ack` (async plugin request) or `success` (sync). */
  message(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<JanusMessage>;
  /** `trickle` with one candidate, or `candidates` when given an array; resolves with the `ack`. */
  trickle(handle: number, candidate: TrickleCandidate | TrickleCandidate[]): Promise<JanusMessage>;
  detach(handle: number): Promise<JanusMessage>;
  hangup(handle: number): Promise<JanusMessage>;
  /** `destroy`: ends the session (and, over HTTP, its long poll). */
  destroy(): Promise<JanusMessage>;
  /** `keepalive`: resolves with the `ack`. */
  keepalive(): Promise<JanusMessage>;
  /** `claim`: moves `sessionId` (default: the client's) to this connection and makes it the client's session. */
  claim(sessionId?: number): Promise<JanusMessage>;
  /** `info`: the `server_info` reply. */
  info(): Promise<JanusMessage>;
  /**
   * Sends any request and resolves with its direct reply, `error` included (never rejects on
   * one). Adds a random `transaction` when the object has none. Over HTTP it is POSTed to the path
   * its numeric `session_id`/`handle_id` name, as janus.js would.
   */
  raw(request: JanusRequest): Promise<JanusMessage>;
  /**
   * Resolves with the first message of `events`, from index `fromIndex` (default 0, so messages
   * already received count), that `predicate` accepts; rejects after `timeoutMs`.
   */
  waitForEvent(predicate: (message: JanusMessage) => boolean, timeoutMs?: number, fromIndex?: number): Promise<JanusMessage>;
  /** Releases the socket or stops the long poll; pending requests reject. Idempotent. */
  close(): Promise<void>;
}

/** Opens a client on `url`: a `ws://` URL for WebSocket, the `http://host:port/janus` base for HTTP. */
export async function connectJanus(transport: 'ws' | 'http', url: string, options: JanusClientOptions = {}): Promise<JanusClient> {
  if (transport === 'http') return new HttpJanusClient(url, options);
  const socket = new WebSocket(url, 'janus-protocol');
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return new WsJanusClient(socket, options);
}

/** 12 random alphanumerics, as janus.js makes transactions. */
export function randomTransaction(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Direct replies answer a request; everything else is an async message. */
const replyTypes = new Set(['ack', 'success', 'error', 'server_info', 'pong']);

interface EventWaiter {
  /** Settles the wait if `message` matches; a predicate that throws rejects the wait. */
  offer(message: JanusMessage): void;
}

/** What both transports share: the verbs, the event log and its waiters. */
abstract class BaseJanusClient implements JanusClient {
  abstract readonly transport: 'ws' | 'http';
  readonly events: JanusMessage[] = [];
  protected readonly options: JanusClientOptions;
  protected session: number | undefined;
  protected closed = false;
  readonly #waiters = new Set<EventWaiter>();

  constructor(options: JanusClientOptions) {
    this.options = options;
  }

  get sessionId(): number | undefined {
    return this.session;
  }

  /** Sends a request (transaction already set) and resolves with its direct reply. */
  protected abstract send(request: JanusRequest): Promise<JanusMessage>;
  /** A session became the client's (created or claimed). */
  protected abstract sessionStarted(sessionId: number): void;
  /** The client's session ended (destroyed). */
  protected abstract sessionEnded(): void;
  abstract close(): Promise<void>;

  async create(id?: number): Promise<number> {
    const reply = await this.#request({ janus: 'create', ...(id !== undefined ? { id } : {}) });
    const sessionId = reply.data?.id;
    if (typeof sessionId !== 'number') throw new Error(`create: no data.id in ${JSON.stringify(reply)}`);
    this.session = sessionId;
    this.sessionStarted(sessionId);
    return sessionId;
  }

  async attach(plugin: string, opaqueId?: string): Promise<number> {
    const reply = await this.#request({
      janus: 'attach',
      session_id: this.#session(),
      plugin,
      ...(opaqueId !== undefined ? { opaque_id: opaqueId } : {}),
    });
    const handle = reply.data?.id;
    if (typeof handle !== 'number') throw new Error(`attach: no data.id in ${JSON.stringify(reply)}`);
    return handle;
  }

  message(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<JanusMessage> {
    return this.#request({ janus: 'message', session_id: this.#session(), handle_id: handle, body, ...(jsep ? { jsep } : {}) });
  }

  trickle(handle: number, candidate: TrickleCandidate | TrickleCandidate[]): Promise<JanusMessage> {
    const field = Array.isArray(candidate) ? { candidates: candidate } : { candidate };
    return this.#request({ janus: 'trickle', session_id: this.#session(), handle_id: handle, ...field });
  }

  detach(handle: number): Promise<JanusMessage> {
    return this.#request({ janus: 'detach', session_id: this.#session(), handle_id: handle });
  }

  hangup(handle: number): Promise<JanusMessage> {
    return this.#request({ janus: 'hangup', session_id: this.#session(), handle_id: handle });
  }

  async destroy(): Promise<JanusMessage> {
    const reply = await this.#request({ janus: 'destroy', session_id: this.#session() });
    this.session = undefined;
    this.sessionEnded();
    return reply;
  }

  keepalive(): Promise<JanusMessage> {
    return this.#request({ janus: 'keepalive', session_id: this.#session() });
  }

  async claim(sessionId = this.session): Promise<JanusMessage> {
    if (sessionId === undefined) throw new Error('claim: no session id');
    const reply = await this.#request({ janus: 'claim', session_id: sessionId });
    if (this.session !== sessionId) {
      this.session = sessionId;
      this.sessionStarted(sessionId);
    }
    return reply;
  }

  info(): Promise<JanusMessage> {
    return this.#request({ janus: 'info' });
  }

  raw(request: JanusRequest): Promise<JanusMessage> {
    if (this.closed) return Promise.reject(new Error('client closed'));
    return this.send(request.transaction === undefined ? { ...request, transaction: randomTransaction() } : request);
  }

  waitForEvent(predicate: (message: JanusMessage) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<JanusMessage> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        outcome();
      };
      const waiter: EventWaiter = {
        offer: (message) => {
          try {
            if (predicate(message)) settle(() => resolve(message));
          } catch (error) {
            // A predicate bug fails this wait, not the socket handler that delivered the message.
            settle(() => reject(error instanceof Error ? error : new Error(String(error))));
          }
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.events.map((m) => m.janus + (m.plugindata ? ` ${JSON.stringify(m.plugindata.data)}` : '')).join(', ');
        reject(new Error(`no matching ${this.transport} event within ${timeoutMs} ms; received: [${seen}]`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      for (const message of this.events.slice(fromIndex)) {
        if (!this.#waiters.has(waiter)) break;
        waiter.offer(message);
      }
    });
  }

  /** Records an async message and wakes the waiters it satisfies. */
  protected received(message: JanusMessage): void {
    this.events.push(message);
    for (const waiter of [...this.#waiters]) waiter.offer(message);
  }

  /** Adds the transaction and auth fields every request carries. */
  protected envelope(request: JanusRequest): JanusRequest {
    const out: JanusRequest = { ...request, transaction: randomTransaction() };
    if (this.options.apiSecret !== undefined) out.apisecret = this.options.apiSecret;
    if (this.options.token !== undefined) out.token = this.options.token;
    return out;
  }

  protected get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }

  async #request(request: JanusRequest): Promise<JanusMessage> {
    if (this.closed) throw new Error('client closed');
    const reply = await this.send(this.envelope(request));
    if (reply.janus === 'error') throw new JanusRequestError(reply);
    return reply;
  }

  #session(): number {
    if (this.session === undefined) throw new Error('no session: call create() or claim() first');
    return this.session;
  }
}

interface PendingReply {
  resolve: (message: JanusMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The Janus API over one WebSocket (§1.1): replies are matched to requests by transaction. */
class WsJanusClient extends BaseJanusClient {
  readonly transport = 'ws' as const;
  readonly #socket: WebSocket;
  readonly #pending = new Map<string, PendingReply>();

  constructor(socket: WebSocket, options: JanusClientOptions) {
    super(options);
    this.#socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.#onFrame((data as Buffer).toString('utf8'));
    });
    socket.on('close', () => this.#rejectAll(new Error('WebSocket closed')));
    // An 'error' is followed by 'close', which rejects what is pending; the listener keeps it from throwing.
    socket.on('error', () => undefined);
  }

  protected send(request: JanusRequest): Promise<JanusMessage> {
    const transaction = String(request.transaction);
    return new Promise((resolve, reject) => {
      if (this.#socket.readyState !== WebSocket.OPEN) {
        reject(new Error('WebSocket not open'));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new Error(`no reply to ${JSON.stringify(request.janus)} (transaction ${transaction}) within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.#pending.set(transaction, { resolve, reject, timer });
      this.#socket.send(JSON.stringify(request));
    });
  }

  protected sessionStarted(): void {
    // The socket that created or claimed a session receives its events: nothing to start.
  }

  protected sessionEnded(): void {
    // Nothing to stop: the socket stays open for further requests.
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    }
    this.#rejectAll(new Error('client closed'));
  }

  #onFrame(text: string): void {
    let message: JanusMessage;
    try {
      message = JSON.parse(text) as JanusMessage;
    } catch (_error) {
      // The gateway sends one JSON object per frame; anything else is recorded, not thrown.
      this.received({ janus: 'unparseable', text });
      return;
    }
    const pending = message.transaction !== undefined && replyTypes.has(message.janus) ? this.#pending.get(message.transaction) : undefined;
    if (pending && message.transaction !== undefined) {
      clearTimeout(pending.timer);
      this.#pending.delete(message.transaction);
      pending.resolve(message);
      return;
    }
    this.received(message);
  }

  #rejectAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}

/** Pause between long polls after a failed one, so a dead gateway is not hammered. */
const POLL_RETRY_MS = 200;

/** The Janus API over HTTP (§1.2): POSTs answered directly, async messages from the long poll. */
class HttpJanusClient extends BaseJanusClient {
  readonly transport = 'http' as const;
  readonly #base: string;
  /** Aborts every fetch in flight (requests and the poll) on close. */
  readonly #abort = new AbortController();
  #pollAbort: AbortController | undefined;
  #pollLoop: Promise<void> | undefined;

  constructor(base: string, options: JanusClientOptions) {
    super(options);
    this.#base = base.replace(/\/+$/, '');
  }

  protected async send(request: JanusRequest): Promise<JanusMessage> {
    const path = [request.session_id, request.handle_id].filter((id) => typeof id === 'number').join('/');
    const response = await fetch(path ? `${this.#base}/${path}` : this.#base, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} for ${JSON.stringify(request.janus)}: ${text}`);
    return JSON.parse(text) as JanusMessage;
  }

  protected sessionStarted(sessionId: number): void {
    this.#stopPolling();
    const controller = new AbortController();
    this.#pollAbort = controller;
    this.#pollLoop = this.#poll(sessionId, controller.signal);
  }

  protected sessionEnded(): void {
    this.#stopPolling();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.#stopPolling();
    this.#abort.abort();
    await this.#pollLoop;
  }

  #stopPolling(): void {
    this.#pollAbort?.abort();
    this.#pollAbort = undefined;
  }

  /** Long-polls until aborted or the session is gone (404), re-issuing each GET at once, as janus.js does. */
  async #poll(sessionId: number, signal: AbortSignal): Promise<void> {
    const query = new URLSearchParams({ maxev: String(this.options.maxev ?? 10) });
    if (this.options.apiSecret !== undefined) query.set('apisecret', this.options.apiSecret);
    if (this.options.token !== undefined) query.set('token', this.options.token);
    while (!signal.aborted) {
      query.set('rid', String(Date.now()));
      try {
        const response = await fetch(`${this.#base}/${sessionId}?${query.toString()}`, { signal });
        const text = await response.text();
        if (response.status === 404) return;
        if (response.status !== 200) throw new Error(`long poll: HTTP ${response.status}`);
        const body = JSON.parse(text) as JanusMessage | JanusMessage[];
        for (const message of Array.isArray(body) ? body : [body]) {
          if (message.janus === 'keepalive') continue;
          this.received(message);
          if (message.janus === 'timeout') return;
        }
      } catch (error) {
        if (signal.aborted) return;
        // A failed poll is retried (janus.js gives up after 3); tests see the gap as missing events.
        this.received({ janus: 'poll-error', reason: String(error) });
        await new Promise((resolve) => setTimeout(resolve, POLL_RETRY_MS));
      }
    }
  }
}
