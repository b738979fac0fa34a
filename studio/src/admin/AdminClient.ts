import { Emitter } from '../ui/Emitter.ts';
import { UNAUTHORIZED, type PluginStreamEvent } from './AdminTypes.ts';

/** An Admin API request that failed: the gateway's Janus error, or the transport. */
export class AdminError extends Error {
  override name = 'AdminError';
  /** Janus error code (0 for a transport failure). */
  readonly code: number;

  constructor(code: number, reason: string) {
    super(reason);
    this.code = code;
  }

  get unauthorized(): boolean {
    return this.code === UNAUTHORIZED;
  }
}

/** Connection state of the admin WebSocket. */
export type AdminState = 'connecting' | 'open' | 'closed';

export type AdminClientEvents = {
  state: [state: AdminState];
  /** A plugin log line, fault, deploy, rollback or unload. */
  plugin: [event: PluginStreamEvent];
};

/** Milliseconds an Admin API request may take (deploys compile and load a sandbox). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Reconnect delays after the admin WebSocket closes. */
const BACKOFF_MS = [500, 1000, 2000, 5000];

type Pending = { resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void; timer: number };

/**
 * The Admin API over its WebSocket (subprotocol `janus-admin-protocol`): requests matched to
 * answers by transaction, every one carrying the admin secret (held in memory, never in a URL),
 * and the plugin event stream (logs, faults, deploys), re-subscribed after each reconnect.
 */
export class AdminClient {
  readonly events = new Emitter<AdminClientEvents>();
  readonly url: string;
  readonly #secret: string;
  readonly #pending = new Map<string, Pending>();
  #socket: WebSocket | undefined;
  #opening: Promise<void> | undefined;
  #state: AdminState = 'closed';
  #attempt = 0;
  #closed = false;
  #next = 1;

  constructor(url: string, secret: string) {
    this.url = url;
    this.#secret = secret;
  }

  get state(): AdminState {
    return this.#state;
  }

  /** Opens the socket and subscribes to plugin events; rejects if the gateway is unreachable. */
  connect(): Promise<void> {
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  /** One request; resolves with the `success` answer, rejects with an AdminError. */
  async request<T = Record<string, unknown>>(verb: string, fields: Record<string, unknown> = {}): Promise<T> {
    if (this.#closed) throw new AdminError(0, 'signed out');
    if (this.#state !== 'open') await this.connect();
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new AdminError(0, 'admin connection is not open');
    const transaction = `studio-${this.#next++}`;
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new AdminError(0, `no answer to ${verb} within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(transaction, { resolve, reject, timer });
      socket.send(JSON.stringify({ janus: verb, transaction, admin_secret: this.#secret, ...fields }));
    });
    if (reply.janus === 'error') {
      const error = reply.error as { code?: number; reason?: string } | undefined;
      throw new AdminError(error?.code ?? 0, error?.reason ?? 'unknown error');
    }
    return reply as T;
  }

  /** Closes for good (sign out). */
  close(): void {
    this.#closed = true;
    this.#socket?.close();
    this.#failPending('signed out');
  }

  async #open(): Promise<void> {
    this.#setState('connecting');
    const socket = new WebSocket(this.url, 'janus-admin-protocol');
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new AdminError(0, `cannot reach the Admin API at ${this.url}`));
      socket.onclose = () => reject(new AdminError(0, `the Admin API at ${this.url} closed the connection`));
    }).catch((error: unknown) => {
      this.#setState('closed');
      throw error;
    });
    this.#socket = socket;
    this.#attempt = 0;
    socket.onmessage = (message) => this.#receive(message);
    socket.onerror = null;
    socket.onclose = () => this.#lost(socket);
    this.#setState('open');
    // The event stream is a nicety: a gateway without it still serves every request.
    this.request('subscribe_plugin_events').catch((error: unknown) => console.warn('plugin event stream unavailable', error));
  }

  #receive(message: MessageEvent): void {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(String(message.data)) as Record<string, unknown>;
    } catch (error) {
      console.warn('unreadable admin message', error);
      return;
    }
    const transaction = typeof data.transaction === 'string' ? data.transaction : undefined;
    const pending = transaction !== undefined ? this.#pending.get(transaction) : undefined;
    if (pending && transaction !== undefined) {
      this.#pending.delete(transaction);
      window.clearTimeout(pending.timer);
      pending.resolve(data);
    } else if (data.janus === 'plugin_event') {
      this.events.emit('plugin', data as unknown as PluginStreamEvent);
    }
  }

  #lost(socket: WebSocket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#setState('closed');
    this.#failPending('the admin connection closed');
    this.#reconnectLater();
  }

  #reconnectLater(): void {
    if (this.#closed) return;
    const delay = BACKOFF_MS[Math.min(this.#attempt++, BACKOFF_MS.length - 1)] ?? 5000;
    window.setTimeout(() => {
      if (!this.#closed) this.connect().catch(() => this.#reconnectLater());
    }, delay);
  }

  #failPending(reason: string): void {
    for (const [transaction, pending] of this.#pending) {
      window.clearTimeout(pending.timer);
      pending.reject(new AdminError(0, reason));
      this.#pending.delete(transaction);
    }
  }

  #setState(state: AdminState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
  }
}
