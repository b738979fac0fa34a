import type { RtpEndpointInfo, RtpEndpointOptions, RtpEndpointStats, RtpForward } from '@cardea/plugin-sdk';
import type { PlaneRoute } from '../MediaPlaneTypes.ts';
import { EndpointForwarders } from '../rtp/EndpointForwarders.ts';
import type { RtpEndpoint, RtpEndpointHooks } from '../rtp/RtpEndpoint.ts';
import { RtpEndpoints } from '../rtp/RtpEndpoints.ts';
import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';

/** What the plain RTP legs need of the fast plane (bound once; nothing here runs per packet). */
export interface FastRtpLegsHost {
  addRoute(route: PlaneRoute): void;
  /** Drops every route from or to `id`. */
  forgetRoutes(id: number): void;
  /** The kind of a handle's stream `mid` once negotiated and up (undefined before, and for data). */
  kindOfMid(handleId: number, mid: string): 'audio' | 'video' | undefined;
}

/**
 * The fast plane's plain RTP legs: the plugins' RTP endpoints (core/src/media/rtp, negative ids in
 * the route graph) and the `rtp_forward` forwarders built on them. The per-packet hooks go straight
 * from an endpoint to the plane's fan-out; this class holds only the control half.
 */
export class FastRtpLegs {
  /** By id, for the fan-out's destination lookup. */
  readonly endpoints: RtpEndpoints;
  readonly #forwarders: EndpointForwarders;
  readonly #host: FastRtpLegsHost;

  constructor(engine: SrtpFanout, hooks: RtpEndpointHooks, host: FastRtpLegsHost) {
    this.#host = host;
    this.endpoints = new RtpEndpoints(engine, hooks);
    this.#forwarders = new EndpointForwarders(this.endpoints, { addRoute: (route) => host.addRoute(route), closeEndpoint: (id) => this.close(id) });
  }

  get(id: number): RtpEndpoint | undefined {
    return this.endpoints.get(id);
  }

  open(options: RtpEndpointOptions): Promise<RtpEndpointInfo> {
    return this.endpoints.open(options);
  }

  /** Closes an endpoint and forgets its routes; unknown ids are ignored. */
  close(id: number): void {
    if (this.endpoints.close(id)) this.#host.forgetRoutes(id);
  }

  stats(id: number): RtpEndpointStats | undefined {
    return this.endpoints.get(id)?.stats();
  }

  /**
   * A forwarder of `handleId`'s stream `forward.mid`. Its kind is `forward.kind`, or the negotiated
   * m-line's; when neither is known yet it waits for `negotiated` (Janus takes `rtp_forward` before
   * the PeerConnection is up).
   */
  forward(handleId: number, forward: RtpForward): number {
    return this.#forwarders.add(handleId, forward.kind ?? this.#host.kindOfMid(handleId, forward.mid), forward);
  }

  stopForward(id: number): void {
    this.#forwarders.remove(id);
  }

  listForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return this.#forwarders.list(handleId);
  }

  /** A handle's streams are (re)negotiated or up: open the forwarders that waited for their kind. */
  negotiated(handleId: number): void {
    this.#forwarders.resolve(handleId, (mid) => this.#host.kindOfMid(handleId, mid));
  }

  /** The handle is gone: its forwarders go with it. */
  forgetHandle(handleId: number): void {
    this.#forwarders.removeHandle(handleId);
  }

  closeAll(): void {
    this.#forwarders.close();
    this.endpoints.closeAll();
  }
}
