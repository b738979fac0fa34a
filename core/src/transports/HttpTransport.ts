import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJsonObject } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import type { EventSink, JanusMessage, RequestContext } from '../api/ApiTypes.ts';
import { JanusErrorCode } from '../api/JanusErrors.ts';
import { LongPollQueue } from './LongPollQueue.ts';
import type { StaticFiles } from './StaticFiles.ts';

/** What the HTTP transport serves. */
export interface HttpApi {
  handle(request: unknown, ctx: RequestContext): Promise<JanusMessage>;
  invalidJson(reason?: string): JanusMessage;
  /** A long poll counts as activity; false for an unknown session. */
  touch(sessionId: number): boolean;
  /** Checks a long poll's `apisecret`/`token` query parameters (absent: no auth on this API). */
  authorized?(credentials: Record<string, string>): boolean;
}

export interface HttpTransportOptions {
  ip: string;
  port: number;
  basePath: string;
  longPollTimeoutMs: number;
  allowOrigin: string | undefined;
  maxBody: number;
  maxQueuedEvents: number;
  /** Static files (demo page) served outside the API path. */
  files?: StaticFiles;
}

/** How long a destroyed session's queue stays to hand its last events (e.g. `timeout`) to the next poll. */
const GONE_GRACE_MS = 5000;

/**
 * The Janus API over HTTP REST + long poll (shared/janus-api.md §1.2–1.3): POST to /janus,
 * /janus/{S}, /janus/{S}/{H}; GET /janus/{S}?maxev=N long polls; CORS as Janus sends it; every
 * JSON answer with status 200.
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #api: HttpApi;
  readonly #log: Logger;
  readonly #queues = new Map<number, LongPollQueue>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | undefined;
  #closed = false;

  constructor(options: HttpTransportOptions, api: HttpApi, log: Logger) {
    this.#options = options;
    this.#api = api;
    this.#log = log.child({ transport: 'http' });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        this.#log.error({ err: error }, 'http request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.ip, () => {
        server.off('error', reject);
        // A failed accept (EMFILE when file descriptors run out) is logged; the server keeps serving.
        server.on('error', (error) => this.#log.warn({ err: error }, 'server error'));
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** The server, so another listener (e.g. WebSocket) can share the port. */
  get server(): Server | undefined {
    return this.#server;
  }

  #queueFor = (sessionId: number): EventSink => {
    let queue = this.#queues.get(sessionId);
    if (!queue) {
      queue = new LongPollQueue(sessionId, this.#options.maxQueuedEvents, (id) => this.#sessionGone(id));
      this.#queues.set(sessionId, queue);
    }
    return queue;
  };

  #sessionGone(sessionId: number): void {
    const queue = this.#queues.get(sessionId);
    if (!queue) return;
    queue.flushWaiters();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#queues.get(sessionId) === queue) this.#queues.delete(sessionId);
    }, GONE_GRACE_MS);
    this.#timers.add(timer);
  }

  #cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = this.#options.allowOrigin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    } else res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Max-Age', '86400');
    const method = req.headers['access-control-request-method'];
    const headers = req.headers['access-control-request-headers'];
    if (method) res.setHeader('Access-Control-Allow-Methods', method);
    if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const base = this.#options.basePath;
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      await this.#static(req, res, url.pathname);
      return;
    }
    this.#cors(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(200).end();
      return;
    }
    const parts = url.pathname.slice(base.length).split('/').filter(Boolean);
    if (req.method !== 'GET' && req.method !== 'POST') {
      json(res, { janus: 'error', error: { code: JanusErrorCode.TRANSPORT_SPECIFIC, reason: 'Unsupported method' } });
      return;
    }
    if (parts.length === 1 && parts[0] === 'info') {
      if (req.method !== 'GET') res.writeHead(400).end();
      else json(res, await this.#api.handle({ janus: 'info', transaction: url.searchParams.get('transaction') ?? 'info' }, { sinkFor: this.#queueFor }));
      return;
    }
    if (parts.length > 2 || !parts.every((p) => /^\d+$/.test(p))) {
      res.writeHead(404).end();
      return;
    }
    const [sessionPart, handlePart] = parts.map(Number);
    if (req.method === 'GET') {
      if (sessionPart === undefined) res.writeHead(404).end();
      else if (handlePart !== undefined) res.writeHead(302, { Location: `${base}/${sessionPart}` }).end();
      else this.#longPoll(req, res, sessionPart, url);
      return;
    }
    await this.#post(req, res, sessionPart, handlePart);
  }

  async #post(req: IncomingMessage, res: ServerResponse, sessionId: number | undefined, handleId: number | undefined): Promise<void> {
    const text = await readBody(req, this.#options.maxBody);
    if (text === undefined) {
      json(res, this.#api.invalidJson('Request body too large'));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text); // whatever the content type: sendBeacon posts text/plain
    } catch {
      json(res, this.#api.invalidJson());
      return;
    }
    if (!isJsonObject(body)) {
      json(res, { janus: 'error', error: { code: JanusErrorCode.INVALID_JSON_OBJECT, reason: 'JSON error: not an object' } });
      return;
    }
    for (const [key, value] of [['session_id', sessionId], ['handle_id', handleId]] as const) {
      if (value === undefined) continue;
      if (body[key] !== undefined && body[key] !== value) {
        const reply: JanusMessage = { janus: 'error', error: { code: JanusErrorCode.INVALID_REQUEST_PATH, reason: `Conflicting ${key === 'session_id' ? 'session' : 'handle'} ID (payload and path)` } };
        if (typeof body.transaction === 'string') reply.transaction = body.transaction;
        json(res, reply);
        return;
      }
      body[key] = value;
    }
    if (sessionId !== undefined && handleId === undefined && isHandleVerb(body.janus)) {
      json(res, { janus: 'error', session_id: sessionId, ...(typeof body.transaction === 'string' ? { transaction: body.transaction } : {}), error: { code: JanusErrorCode.INVALID_REQUEST_PATH, reason: 'Unhandled request at this path' } });
      return;
    }
    json(res, await this.#api.handle(body, { sinkFor: this.#queueFor }));
  }

  #longPoll(req: IncomingMessage, res: ServerResponse, sessionId: number, url: URL): void {
    const maxev = Math.max(1, Number.parseInt(url.searchParams.get('maxev') ?? '1', 10) || 1);
    const credentials: Record<string, string> = {};
    for (const key of ['apisecret', 'token']) {
      const value = url.searchParams.get(key);
      if (value !== null) credentials[key] = value;
    }
    if (this.#api.authorized && !this.#api.authorized(credentials)) {
      res.writeHead(403).end(); // Janus refuses a long poll with bad auth with HTTP 403 (§1.3)
      return;
    }
    if (!this.#api.touch(sessionId)) {
      // A gone session's last events (e.g. `timeout`) keep the body shape: an array when maxev > 1 (§1.2).
      const queue = this.#queues.get(sessionId);
      if (queue && queue.size > 0) queue.poll(maxev, (m) => (json(res, maxev === 1 ? m[0] : m), true));
      else res.writeHead(404).end();
      return;
    }
    const queue = this.#queueFor(sessionId) as LongPollQueue;
    const answer = (messages: JanusMessage[]): boolean => {
      clearTimeout(timer);
      this.#timers.delete(timer);
      if (res.writableEnded || res.destroyed || req.destroyed) return false;
      const list = messages.length > 0 ? messages : [{ janus: 'keepalive' }];
      json(res, maxev === 1 ? list[0] : list);
      return true;
    };
    const timer = setTimeout(() => {
      cancel?.();
      answer([]);
    }, this.#options.longPollTimeoutMs);
    this.#timers.add(timer);
    const cancel = queue.poll(maxev, answer);
    req.on('close', () => {
      if (!res.writableEnded) {
        cancel?.();
        clearTimeout(timer);
        this.#timers.delete(timer);
      }
    });
  }

  async #static(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const file = req.method === 'GET' || req.method === 'HEAD' ? await this.#options.files?.get(path) : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' }).end(req.method === 'HEAD' ? undefined : file.body);
  }

  /** Ends pending polls, releases timers and the listener. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const queue of this.#queues.values()) queue.flushWaiters();
    this.#queues.clear();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function isHandleVerb(verb: unknown): boolean {
  return verb === 'message' || verb === 'trickle' || verb === 'detach' || verb === 'hangup';
}

function json(res: ServerResponse, body: unknown): void {
  if (res.writableEnded) return;
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
