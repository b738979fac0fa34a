// Raw HTTP and WebSocket exchanges for transport tests: status codes, headers, handshakes and
// single frames, which the typed client (janusClient.ts) deliberately hides.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { randomTransaction, type JanusMessage } from './janusClient.ts';

/** What an HTTP exchange returned, for assertions on status, headers and body. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
}

/** Sends one HTTP request; an object body is JSON-encoded, a string body is sent as is. */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? (body === undefined ? {} : { 'Content-Type': 'application/json' }),
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch (_error) {
    parsed = undefined; // not JSON: the test asserts on `text`
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** POSTs a Janus request (transaction added) and returns the JSON reply, asserting HTTP 200. */
export async function postJanus(url: string, request: Record<string, unknown>): Promise<JanusMessage> {
  const result = await http(url, { body: { transaction: randomTransaction(), ...request } });
  assert.equal(result.status, 200, `HTTP status for ${JSON.stringify(request)}: ${result.text}`);
  return result.body as JanusMessage;
}

/** A WebSocket with its received frames, for frame-level tests the typed client hides. */
export class RawSocket {
  readonly frames: JanusMessage[] = [];
  readonly #socket: WebSocket;
  #read = 0;
  #onFrame: (() => void) | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as JanusMessage);
      this.#onFrame?.();
    });
  }

  static async open(url: string, protocol = 'janus-protocol'): Promise<RawSocket> {
    const socket = new WebSocket(url, protocol);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawSocket(socket);
  }

  send(text: string): void {
    this.#socket.send(text);
  }

  /** Sends a request (transaction added if absent) and returns the next frame. */
  async request(request: Record<string, unknown>): Promise<JanusMessage> {
    this.send(JSON.stringify({ transaction: randomTransaction(), ...request }));
    const [reply] = await this.next(1);
    assert.ok(reply);
    return reply;
  }

  /** Resolves with the next `count` frames not read yet. */
  async next(count: number, timeoutMs = 3000): Promise<JanusMessage[]> {
    const from = this.#read;
    if (this.frames.length < from + count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${count} WebSocket frame(s) within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(from))}`)),
          timeoutMs,
        );
        this.#onFrame = () => {
          if (this.frames.length < from + count) return;
          clearTimeout(timer);
          this.#onFrame = undefined;
          resolve();
        };
      });
    }
    this.#read = from + count;
    return this.frames.slice(from, from + count);
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }
}

/** Tries a WebSocket handshake; reports the echoed subprotocol or the failure. */
export async function handshake(url: string, protocols: string[]): Promise<{ ok: true; protocol: string } | { ok: false; error: string }> {
  const socket = new WebSocket(url, protocols);
  const outcome = await new Promise<{ ok: true; protocol: string } | { ok: false; error: string }>((resolve) => {
    socket.once('open', () => resolve({ ok: true, protocol: socket.protocol }));
    socket.once('error', (error) => resolve({ ok: false, error: error.message }));
  });
  if (outcome.ok) {
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }
  return outcome;
}
