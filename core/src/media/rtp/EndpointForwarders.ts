import type { RtpForward } from '@cardea/plugin-sdk';
import type { PlaneRoute } from '../MediaPlaneTypes.ts';
import { RTP_ENDPOINT_MID } from './RtpEndpoint.ts';
import type { RtpEndpoints } from './RtpEndpoints.ts';

interface Forwarder {
  handleId: number;
  forward: RtpForward;
  endpointId: number;
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
 * `stream_id`); the endpoint behind one has its own negative id.
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

  add(handleId: number, kind: 'audio' | 'video', forward: RtpForward): number {
    const endpoint = this.#endpoints.openForwarder(kind, forward);
    const id = this.#nextId++;
    this.#forwarders.set(id, { handleId, forward: { ...forward }, endpointId: endpoint.handleId });
    this.#routes.addRoute({ from: handleId, to: endpoint.handleId, kinds: [kind], fromMid: forward.mid, toMid: RTP_ENDPOINT_MID });
    return id;
  }

  remove(id: number): void {
    const f = this.#forwarders.get(id);
    if (!f) return;
    this.#forwarders.delete(id);
    this.#routes.closeEndpoint(f.endpointId);
  }

  removeHandle(handleId: number): void {
    for (const [id, f] of this.#forwarders) if (f.handleId === handleId) this.remove(id);
  }

  list(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    const out: Array<RtpForward & { id: number; packets: number }> = [];
    for (const [id, f] of this.#forwarders) {
      if (handleId !== undefined && f.handleId !== handleId) continue;
      out.push({ ...f.forward, id, packets: this.#endpoints.get(f.endpointId)?.counters.packetsOut ?? 0 });
    }
    return out;
  }

  close(): void {
    this.#forwarders.clear();
  }
}
