import { isIP } from 'node:net';
import type { RtpForward } from '@cardea/plugin-sdk';
import type { PlaneRoute } from '../MediaPlaneTypes.ts';
import { RTP_ENDPOINT_MID } from './RtpEndpoint.ts';
import { RtpEndpoints, TooManyRtpEndpointsError } from './RtpEndpoints.ts';

interface Forwarder {
  handleId: number;
  forward: RtpForward;
  /** The send-only endpoint behind it; undefined while the kind of `forward.mid` is unknown. */
  endpointId: number | undefined;
}

/** What forwarders need of the plane's route graph. */
export interface ForwarderRoutes {
  addRoute(route: PlaneRoute): void;
  /** Removes an endpoint and every route from or to it. */
  closeEndpoint(id: number): void;
}

/**
 * Janus `rtp_forward` on the fast plane: each forwarder is a send-only RTP endpoint toward
 * host:port with a route from the handle's stream (`mid`) to it, so forwarded copies are rewritten
 * by the same engine call as every other copy. Forwarder ids stay positive (1, 2, …: Janus's
 * `stream_id`); the endpoint behind one has its own negative id. A forwarder asked for before the
 * kind of its mid is known (no `forward.kind`, the PeerConnection not up yet) waits, listed with no
 * packets, until `resolve` learns it — as Janus accepts `rtp_forward` before media flows. One of a
 * data mid stays waiting (nothing is forwarded, as before).
 */
export class EndpointForwarders {
  readonly #forwarders = new Map<number, Forwarder>();
  readonly #endpoints: RtpEndpoints;
  readonly #routes: ForwarderRoutes;
  #nextId = 1;

  constructor(endpoints: RtpEndpoints, routes: ForwarderRoutes) {
    this.#endpoints = endpoints;
    this.#routes = routes;
  }

  /** Adds a forwarder; its endpoint opens now when `kind` is known, else at `resolve`. Throws for a host name or too many. */
  add(handleId: number, kind: 'audio' | 'video' | undefined, forward: RtpForward): number {
    if (isIP(forward.host) === 0) throw new RangeError(`forwarding needs an IP address, got ${forward.host}`);
    if (this.#forwarders.size >= RtpEndpoints.MAX) throw new TooManyRtpEndpointsError(`at most ${RtpEndpoints.MAX} RTP forwarders`);
    const f: Forwarder = { handleId, forward: { ...forward }, endpointId: undefined };
    if (kind) this.#open(f, kind);
    const id = this.#nextId++;
    this.#forwarders.set(id, f);
    return id;
  }

  /** Opens the waiting forwarders of `handleId` whose mid's kind `kindOf` now knows. */
  resolve(handleId: number, kindOf: (mid: string) => 'audio' | 'video' | undefined): void {
    for (const f of this.#forwarders.values()) {
      if (f.handleId !== handleId || f.endpointId !== undefined) continue;
      const kind = kindOf(f.forward.mid);
      if (kind) this.#open(f, kind);
    }
  }

  remove(id: number): void {
    const f = this.#forwarders.get(id);
    if (!f) return;
    this.#forwarders.delete(id);
    if (f.endpointId !== undefined) this.#routes.closeEndpoint(f.endpointId);
  }

  removeHandle(handleId: number): void {
    for (const [id, f] of this.#forwarders) if (f.handleId === handleId) this.remove(id);
  }

  list(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    const out: Array<RtpForward & { id: number; packets: number }> = [];
    for (const [id, f] of this.#forwarders) {
      if (handleId !== undefined && f.handleId !== handleId) continue;
      const packets = f.endpointId === undefined ? 0 : (this.#endpoints.get(f.endpointId)?.counters.packetsOut ?? 0);
      out.push({ ...f.forward, id, packets });
    }
    return out;
  }

  /** Forgets every forwarder (their endpoints are closed with the plane's). */
  close(): void {
    this.#forwarders.clear();
  }

  #open(f: Forwarder, kind: 'audio' | 'video'): void {
    const endpoint = this.#endpoints.openForwarder(kind, f.forward);
    f.endpointId = endpoint.handleId;
    this.#routes.addRoute({ from: f.handleId, to: endpoint.handleId, kinds: [kind], fromMid: f.forward.mid, toMid: RTP_ENDPOINT_MID });
  }
}
