import type { MediaKind } from '@cardea/plugin-sdk';
import type { RtpPacket } from 'werift';
import type { MediaCounters, MediaEndpoint, MediaPlane, PlaneRoute } from './MediaPlaneTypes.ts';
import type { ReceivedTrack } from '../webrtc/WebRtcPeer.ts';

/** When to ask sources for a keyframe after a destination's PeerConnection comes up (ms). */
const KEYFRAME_RETRY_MS = [0, 300, 1000];

/** One edge of the routing graph, kept at its source. */
interface Edge {
  to: number;
  kind: MediaKind;
  fromMid: string | undefined;
  toMid: string | undefined;
}

interface EndpointState {
  endpoint: MediaEndpoint;
  muted: Set<MediaKind>;
  counters: MediaCounters;
  disposers: Array<() => void>;
}

/**
 * The media plane on werift's own per-packet path (track.onReceiveRtp → sender.sendRtp). Simple and
 * complete, but ~42 µs per forwarded packet (shared/research/werift.md); the SFU issue adds a path
 * that bypasses it. Without mids, the i-th received stream of a kind goes to the i-th sending stream
 * of that kind at the destination.
 */
export class WeriftMediaPlane implements MediaPlane {
  readonly #endpoints = new Map<number, EndpointState>();
  /** Edges by source handle; kept even before the source has a PeerConnection. */
  readonly #edges = new Map<number, Edge[]>();
  #closed = false;

  attach(endpoint: MediaEndpoint): void {
    if (this.#closed) return;
    this.#disposeEndpoint(endpoint.handleId);
    const state: EndpointState = {
      endpoint,
      muted: new Set(),
      counters: { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0 },
      disposers: [],
    };
    this.#endpoints.set(endpoint.handleId, state);
    const { peer } = endpoint;
    for (const t of peer.receivedTracks) this.#wireTrack(state, t);
    state.disposers.push(peer.events.on('track', (t) => this.#wireTrack(state, t)));
    // A destination that just came up missed its sources' first keyframe: ask again, a few times
    // over the first second because the sources' own PeerConnections may still be connecting.
    state.disposers.push(
      peer.events.on('up', () => {
        for (const delay of KEYFRAME_RETRY_MS) {
          const timer = setTimeout(() => {
            for (const source of this.#sourcesOf(endpoint.handleId)) this.requestKeyframe(source);
          }, delay);
          state.disposers.push(() => clearTimeout(timer));
        }
      }),
    );
    state.disposers.push(
      peer.events.on('keyframeRequested', () => {
        for (const source of this.#sourcesOf(endpoint.handleId)) this.requestKeyframe(source);
      }),
    );
    state.disposers.push(
      peer.events.on('data', (label, text) => {
        for (const edge of this.#edges.get(endpoint.handleId) ?? []) {
          if (edge.kind !== 'data') continue;
          const dest = this.#endpoints.get(edge.to);
          if (dest && !dest.muted.has('data')) dest.endpoint.peer.sendData(text, label);
        }
      }),
    );
  }

  detach(handleId: number): void {
    this.#disposeEndpoint(handleId);
  }

  /** Forgets a handle entirely: its endpoint and every edge from or to it. */
  forget(handleId: number): void {
    this.#disposeEndpoint(handleId);
    this.#edges.delete(handleId);
    for (const [from, edges] of this.#edges) this.#edges.set(from, edges.filter((e) => e.to !== handleId));
  }

  addRoute(route: PlaneRoute): void {
    let edges = this.#edges.get(route.from);
    if (!edges) this.#edges.set(route.from, (edges = []));
    for (const kind of route.kinds) {
      const same = edges.find((e) => e.to === route.to && e.kind === kind && e.fromMid === route.fromMid && e.toMid === route.toMid);
      if (!same) edges.push({ to: route.to, kind, fromMid: route.fromMid, toMid: route.toMid });
    }
    if (route.kinds.includes('video')) this.#endpoints.get(route.from)?.endpoint.peer.requestKeyframe();
  }

  removeRoute(route: PlaneRoute): void {
    const edges = this.#edges.get(route.from);
    if (!edges) return;
    const kinds = new Set(route.kinds);
    this.#edges.set(
      route.from,
      edges.filter((e) => !(e.to === route.to && kinds.has(e.kind) && (route.fromMid === undefined || e.fromMid === route.fromMid) && (route.toMid === undefined || e.toMid === route.toMid))),
    );
  }

  setSending(handleId: number, kind: MediaKind, sending: boolean): void {
    const state = this.#endpoints.get(handleId);
    if (!state) return;
    if (sending) {
      state.muted.delete(kind);
      if (kind === 'video') for (const s of this.#sourcesOf(handleId)) this.requestKeyframe(s);
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
    for (const id of [...this.#endpoints.keys()]) this.#disposeEndpoint(id);
    this.#edges.clear();
    this.#closed = true;
  }

  #disposeEndpoint(handleId: number): void {
    const state = this.#endpoints.get(handleId);
    if (!state) return;
    for (const dispose of state.disposers) dispose();
    this.#endpoints.delete(handleId);
  }

  #sourcesOf(handleId: number): number[] {
    const sources: number[] = [];
    for (const [from, edges] of this.#edges) if (edges.some((e) => e.to === handleId)) sources.push(from);
    return sources;
  }

  #wireTrack(state: EndpointState, received: ReceivedTrack): void {
    const { kind, mid } = received;
    const source = state.endpoint.handleId;
    const index = state.endpoint.peer.receivedTracks.filter((t) => t.kind === kind).indexOf(received);
    const sub = received.track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
      state.counters.packetsIn++;
      state.counters.bytesIn += rtp.payload.length + 12;
      const edges = this.#edges.get(source);
      if (!edges) return;
      let sent = 0;
      for (const edge of edges) {
        if (edge.kind !== kind || (edge.fromMid !== undefined && edge.fromMid !== mid)) continue;
        const dest = this.#endpoints.get(edge.to);
        if (!dest || dest.muted.has(kind)) continue;
        const transceivers = dest.endpoint.peer.sendingTransceivers(kind);
        const sender = (edge.toMid !== undefined ? transceivers.find((t) => t.mid === edge.toMid) : transceivers[index])?.sender;
        if (!sender) {
          dest.counters.dropped++;
          continue;
        }
        // werift's sendRtp mutates the packet and merges ingress extension ids: give it a clean copy.
        const copy = sent++ === 0 && edges.length === 1 ? rtp : rtp.clone();
        copy.header.extensions = [];
        dest.counters.packetsOut++;
        dest.counters.bytesOut += copy.payload.length + 12;
        void sender.sendRtp(copy).catch(() => undefined);
      }
    });
    state.disposers.push(() => sub.unSubscribe());
  }
}
