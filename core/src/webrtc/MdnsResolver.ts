import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { decode, encode, type Answer } from 'dns-packet';
import type { Logger } from '../util/logger.ts';

/** The mDNS IPv4 group and port (RFC 6762 §3). */
const MDNS_GROUP = { address: '224.0.0.251', port: 5353 } as const;
/** Most answers kept in the cache; the oldest goes first (bounded whatever the network sends). */
const MAX_CACHED = 1024;
/** Longest time an answer is cached, whatever its TTL says (seconds). */
const MAX_TTL_S = 120;

export interface MdnsResolverOptions {
  /** Local IPv4 address the resolver's one socket binds to and sends multicast from. */
  ip: string;
  /**
   * Local UDP port. 0 (an ephemeral port) sends one-shot queries, which responders answer by
   * unicast to the querier's port (RFC 6762 §5.1, §6.7), so the resolver never competes for 5353
   * with avahi. 5353 makes it a full querier that joins the group on `ip` (shared with other
   * processes only if they bind with SO_REUSEADDR).
   */
  port: number;
  /** Milliseconds a lookup waits for an answer. */
  timeoutMs: number;
  /** Most lookups in flight; more are answered `undefined` at once. */
  maxPending: number;
  /** Where queries go (default 224.0.0.251:5353); tests point it at a responder on loopback. */
  destination?: { address: string; port: number };
}

/** Counters of the resolver, for the Admin API. */
export interface MdnsResolverStats {
  state: 'opening' | 'open' | 'failed' | 'closed';
  resolved: number;
  timedOut: number;
  refused: number;
}

interface Pending {
  promise: Promise<string | undefined>;
  settle(address: string | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * The gateway's one Multicast DNS resolver (IPv4 A records only), shared by every PeerConnection:
 * one UDP socket bound to the configured address, opened at start, closed with the gateway. A
 * socket that cannot bind (port in use, no file descriptors) leaves the resolver failed: lookups
 * answer `undefined` and the failure is logged, never thrown. Lookups are deduplicated per name,
 * bounded in number, time out, and answers are cached for their TTL (at most 120 s).
 */
export class MdnsResolver {
  readonly #options: MdnsResolverOptions;
  readonly #log: Logger;
  readonly #socket: Socket;
  readonly #pending = new Map<string, Pending>();
  readonly #cache = new Map<string, { address: string; expires: number }>();
  #state: MdnsResolverStats['state'] = 'opening';
  #opened: Promise<void> | undefined;
  #resolved = 0;
  #timedOut = 0;
  #refused = 0;

  constructor(options: MdnsResolverOptions, log: Logger) {
    this.#options = options;
    this.#log = log.child({ component: 'mdns' });
    this.#socket = createSocket({ type: 'udp4', reuseAddr: options.port === MDNS_GROUP.port });
    // Every later socket error (a send refused by the network, ICMP errors) is logged, never thrown.
    this.#socket.on('error', (error) => this.#log.debug({ err: error }, 'mDNS socket error'));
    this.#socket.on('message', (message) => this.#onMessage(message));
  }

  /** Binds the socket; resolves either way (a failure is logged and leaves the resolver failed). Idempotent. */
  open(): Promise<void> {
    this.#opened ??= new Promise<void>((resolve) => {
      const onError = (error: Error): void => {
        this.#state = 'failed';
        this.#log.error({ err: error, ip: this.#options.ip, port: this.#options.port }, 'mDNS resolver could not bind: .local candidates will be ignored');
        resolve();
      };
      this.#socket.once('error', onError);
      this.#socket.bind({ address: this.#options.ip, port: this.#options.port, exclusive: false }, () => {
        this.#socket.off('error', onError);
        if (this.#state === 'closed') return resolve();
        this.#state = 'open';
        this.#configureMulticast();
        resolve();
      });
    });
    return this.#opened;
  }

  /** Counters and state, for the Admin API. */
  get stats(): MdnsResolverStats {
    return { state: this.#state, resolved: this.#resolved, timedOut: this.#timedOut, refused: this.#refused };
  }

  /**
   * The IPv4 address of `name` (an mDNS name in canonical form, see candidateHost.ts), or
   * undefined when nothing answers in time, the resolver is not open, or too many lookups are
   * in flight.
   */
  resolve(name: string): Promise<string | undefined> {
    const cached = this.#cache.get(name);
    if (cached && cached.expires > performance.now()) return Promise.resolve(cached.address);
    if (cached) this.#cache.delete(name);
    const pending = this.#pending.get(name);
    if (pending) return pending.promise;
    if (this.#state !== 'open' || this.#pending.size >= this.#options.maxPending) {
      this.#refused++;
      return Promise.resolve(undefined);
    }
    let settle!: (address: string | undefined) => void;
    const promise = new Promise<string | undefined>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => {
      this.#timedOut++;
      this.#finish(name, undefined);
    }, this.#options.timeoutMs);
    this.#pending.set(name, { promise, settle, timer });
    this.#query(name);
    return promise;
  }

  /** Ends pending lookups (with `undefined`) and closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const name of [...this.#pending.keys()]) this.#finish(name, undefined);
    this.#cache.clear();
    await new Promise<void>((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        // ERR_SOCKET_DGRAM_NOT_RUNNING: the handle is already gone, so there is nothing left to release.
        resolve();
      }
    });
  }

  #configureMulticast(): void {
    const { ip, port } = this.#options;
    try {
      // RFC 6762 §11: mDNS packets go out with IP TTL 255; the host's own responder must hear us.
      this.#socket.setMulticastTTL(255);
      this.#socket.setMulticastLoopback(true);
      this.#socket.setMulticastInterface(ip);
      if (port === MDNS_GROUP.port) this.#socket.addMembership(MDNS_GROUP.address, ip);
    } catch (error) {
      this.#log.warn({ err: error, ip }, 'mDNS multicast setup failed on this interface');
    }
  }

  #query(name: string): void {
    const query = encode({ type: 'query', id: 0, flags: 0, questions: [{ type: 'A', class: 'IN', name }] });
    const { address, port } = this.#options.destination ?? MDNS_GROUP;
    this.#socket.send(query, port, address, (error) => {
      if (error) this.#log.debug({ err: error, name }, 'mDNS query not sent');
    });
  }

  #onMessage(message: Buffer): void {
    let answers: Answer[];
    try {
      const packet = decode(message);
      if (packet.type !== 'response') return;
      answers = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
    } catch {
      // Anyone on the link can send garbage to the mDNS port: a datagram that does not parse is ignored.
      return;
    }
    for (const answer of answers) {
      if (answer.type !== 'A' || typeof answer.data !== 'string' || !isIPv4(answer.data)) continue;
      const name = answer.name.toLowerCase().replace(/\.$/, '');
      if (!this.#pending.has(name)) continue;
      const ttl = Math.min(MAX_TTL_S, Math.max(0, answer.ttl ?? 0));
      if (ttl > 0) this.#remember(name, answer.data, ttl);
      this.#resolved++;
      this.#finish(name, answer.data);
    }
  }

  #remember(name: string, address: string, ttlS: number): void {
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(name, { address, expires: performance.now() + ttlS * 1000 });
  }

  #finish(name: string, address: string | undefined): void {
    const pending = this.#pending.get(name);
    if (!pending) return;
    this.#pending.delete(name);
    clearTimeout(pending.timer);
    pending.settle(address);
  }
}
