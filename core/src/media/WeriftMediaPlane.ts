import type { MediaKind } from '@cardea/plugin-sdk';
import type { RtpPacket } from 'werift';
import type { MediaCounters, MediaEndpoint, MediaPlane } from './MediaPlaneTypes.ts';
import type { ReceivedTrack } from '../webrtc/WebRtcPeer.ts';

interface EndpointState {
  endpoint: MediaEndpoint;
  /** Destinations per kind. */
  routes: Map<MediaKind, Set<number>>;
  /** Sources that send to this endpoint (for keyframe requests). */
  sources: Set<number>;
  muted: Set<MediaKind>;
  counters: MediaCounters;
  disposers: Array<() => void>;
}

/**
 * The media plane on werift's own per-packet path (track.onReceiveRtp → sender.sendRtp). Simple and
 * complete, but ~42 µs per forwarded packet (shared/research/werift.md); the SFU issue adds a path
 * that bypasses it. Packets of the i-th received stream of a kind go to the i-th sending stream of
 * that kind at the destination.
 */
export class WeriftMediaPlane implements MediaPlane {
  readonly #endpoints = new Map<number, EndpointState>();
  /** Routes drawn before an endpoint exists; applied on attach. */
  readonly #pending = new Map<number, Map<MediaKind, Set<number>>>();
  #closed = false;

  attach(endpoint: MediaEndpoint): void {
    if (this.#closed) return;
    this.detach(endpoint.handleId);
    const state: EndpointState = {
      endpoint,
      routes: this.#pending.get(endpoint.handleId) ?? new Map<MediaKind, Set<number>>(),
      sources: new Set(),
      muted: new Set(),
      counters: { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0 },
      disposers: [],
    };
    this.#pending.delete(endpoint.handleId);
    this.#endpoints.set(endpoint.handleId, state);
    for (const [, dests] of state.routes) for (const d of dests) this.#endpoints.get(d)?.sources.add(endpoint.handleId);
    for (const [id, other] of this.#endpoints) {
      for (const dests of other.routes.values()) if (dests.has(endpoint.handleId)) state.sources.add(id);
    }
    const { peer } = endpoint;
    for (const t of peer.receivedTracks) this.#wireTrack(state, t);
    state.disposers.push(peer.events.on('track', (t) => this.#wireTrack(state, t)));
    state.disposers.push(
      peer.events.on('keyframeRequested', () => {
        for (const s of state.sources) this.requestKeyframe(s);
      }),
    );
    state.disposers.push(
      peer.events.on('data', (label, text) => {
        for (const to of state.routes.get('data') ?? []) {
          const dest = this.#endpoints.get(to);
          if (dest && !dest.muted.has('data')) dest.endpoint.peer.sendData(text, label);
        }
      }),
    );
  }

  detach(handleId: number): void {
    const state = this.#endpoints.get(handleId);
    this.#pending.delete(handleId);
    if (!state) return;
    for (const dispose of state.disposers) dispose();
    this.#endpoints.delete(handleId);
    for (const other of this.#endpoints.values()) {
      other.sources.delete(handleId);
      for (const dests of other.routes.values()) dests.delete(handleId);
    }
  }

  addRoute(from: number, to: number, kinds: readonly MediaKind[]): void {
    const routes = this.#endpoints.get(from)?.routes ?? this.#pendingRoutes(from);
    for (const kind of kinds) {
      let set = routes.get(kind);
      if (!set) routes.set(kind, (set = new Set()));
      set.add(to);
    }
    this.#endpoints.get(to)?.sources.add(from);
    if (kinds.includes('video')) this.#endpoints.get(from)?.endpoint.peer.requestKeyframe();
  }

  removeRoute(from: number, to: number, kinds: readonly MediaKind[]): void {
    const routes = this.#endpoints.get(from)?.routes ?? this.#pending.get(from);
    for (const kind of kinds) routes?.get(kind)?.delete(to);
  }

  setSending(handleId: number, kind: MediaKind, sending: boolean): void {
    const state = this.#endpoints.get(handleId);
    if (!state) return;
    if (sending) {
      state.muted.delete(kind);
      if (kind === 'video') for (const s of state.sources) this.requestKeyframe(s);
    } else state.muted.add(kind);
  }

  requestKeyframe(handleId: number): void {
    this.#endpoints.get(handleId)?.endpoint.peer.requestKeyframe();
  }

  counters(handleId: number): MediaCounters | undefined {
    const c = this.#endpoints.get(handleId)?.counters;
    return c ? { ...c } : undefined;
  }

  close(): void {
    if (this.#closed) return;
    for (const id of [...this.#endpoints.keys()]) this.detach(id);
    this.#pending.clear();
    this.#closed = true;
  }

  #pendingRoutes(from: number): Map<MediaKind, Set<number>> {
    let routes = this.#pending.get(from);
    if (!routes) this.#pending.set(from, (routes = new Map<MediaKind, Set<number>>()));
    return routes;
  }

  #wireTrack(state: EndpointState, received: ReceivedTrack): void {
    const { kind } = received;
    const index = state.endpoint.peer.receivedTracks.filter((t) => t.kind === kind).indexOf(received);
    const sub = received.track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
      state.counters.packetsIn++;
      state.counters.bytesIn += rtp.payload.length + 12;
      const dests = state.routes.get(kind);
      if (!dests || dests.size === 0) return;
      for (const to of dests) {
        const dest = this.#endpoints.get(to);
        if (!dest || dest.muted.has(kind)) continue;
        const sender = dest.endpoint.peer.sendingTransceivers(kind)[index]?.sender;
        if (!sender) {
          dest.counters.dropped++;
          continue;
        }
        // werift's sendRtp mutates the packet and merges ingress extension ids: give it a clean copy.
        const copy = dests.size === 1 ? rtp : rtp.clone();
        copy.header.extensions = [];
        dest.counters.packetsOut++;
        dest.counters.bytesOut += copy.payload.length + 12;
        void sender.sendRtp(copy).catch(() => undefined);
      }
    });
    state.disposers.push(() => sub.unSubscribe());
  }
}
