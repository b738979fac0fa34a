import type { MediaKind, RtpEndpointInfo, RtpEndpointStats, RtpForward, SimulcastTarget, TalkingOptions } from '@cardea/plugin-sdk';
import type { RTCRtpSender, RtpPacket } from 'werift';
import { TypedEmitter } from '../util/TypedEmitter.ts';
import type { ReceivedTrack } from '../webrtc/WebRtcPeer.ts';
import { AudioMixers } from './audio/AudioMixers.ts';
import type { IncomingStreamInfo, MediaCounters, MediaEndpoint, MediaPlane, MediaPlaneEvents, PlaneRoute } from './MediaPlaneTypes.ts';
import { RtpForwarders } from './RtpForwarders.ts';
import { MediaRecorders, type HandleTap } from './recording/MediaRecorders.ts';
import { TalkingDetector } from './TalkingDetector.ts';
import { isVp8KeyframeStart } from './vp8.ts';
import { KEYFRAME_INTERVAL_MS, KEYFRAME_RETRY_MS, RouteGraph, SWITCH_STEP, wantedLayer } from './RouteGraph.ts';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** What a destination stream (one sending transceiver) remembers between packets. */
interface SendState {
  /** SSRC of the source stream last forwarded, to keep seq/ts continuous across switches. */
  lastSsrc: number | undefined;
  /** Simulcast layer forwarded now, and the one wanted. */
  layer: number | undefined;
  target: SimulcastTarget;
  lastKeyframeRequest: number;
}

interface EndpointState {
  endpoint: MediaEndpoint;
  muted: Set<MediaKind>;
  counters: MediaCounters;
  disposers: Array<() => void>;
  /** Per sending mid. */
  sends: Map<string, SendState>;
  talking: TalkingOptions | undefined;
  detectors: Map<string, TalkingDetector>;
  /** The handle's `.mjr` recordings (undefined when none). */
  tap: HandleTap | undefined;
}

/**
 * The media plane on werift's own per-packet path (track.onReceiveRtp → sender.sendRtp). Complete
 * but ~42 µs per forwarded packet (shared/research/werift.md); the SFU fast path bypasses it behind
 * the same interface. Without mids, the i-th received stream of a kind goes to the i-th sending
 * stream of that kind. Simulcast layers switch on VP8 keyframes; werift's `replaceRTP` keeps the
 * subscriber's sequence numbers and timestamps continuous across layer and source switches.
 */
export class WeriftMediaPlane implements MediaPlane {
  readonly events = new TypedEmitter<MediaPlaneEvents>();
  readonly audio: AudioMixers;
  readonly recorders = new MediaRecorders((handleId, tap) => {
    const state = this.#endpoints.get(handleId);
    if (state) state.tap = tap;
  });
  readonly #endpoints = new Map<number, EndpointState>();
  readonly #graph = new RouteGraph();
  readonly #forwarders = new RtpForwarders();
  #closed = false;

  /** Where audio mixers run and the worker's nice value (config `media.audioMixerThread`, `audioMixerNice`; default 'main' here). */
  constructor(options: { audioMixerThread?: 'main' | 'worker'; audioMixerNice?: number } = {}) {
    this.audio = new AudioMixers({ thread: options.audioMixerThread ?? 'main', workerNice: options.audioMixerNice ?? 0 });
  }

  attach(endpoint: MediaEndpoint): void {
    if (this.#closed) return;
    this.#disposeEndpoint(endpoint.handleId);
    const state: EndpointState = {
      endpoint,
      muted: new Set(),
      counters: { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0 },
      disposers: [],
      sends: new Map(),
      talking: this.#graph.talking(endpoint.handleId),
      detectors: new Map(),
      tap: this.recorders.tap(endpoint.handleId),
    };
    this.#endpoints.set(endpoint.handleId, state);
    this.audio.attach(endpoint.handleId, endpoint.peer);
    const { peer } = endpoint;
    const id = endpoint.handleId;
    for (const t of peer.receivedTracks) this.#wireTrack(state, t);
    state.disposers.push(peer.events.on('track', (t) => this.#wireTrack(state, t)));
    // A destination that just came up missed its sources' first keyframe: ask again, a few times
    // over the first second because the sources' own PeerConnections may still be connecting.
    state.disposers.push(
      peer.events.on('up', () => {
        for (const delay of KEYFRAME_RETRY_MS) {
          const timer = setTimeout(() => this.#keyframeFromSources(id), delay);
          state.disposers.push(() => clearTimeout(timer));
        }
      }),
    );
    state.disposers.push(peer.events.on('keyframeRequested', () => this.#keyframeFromSources(id)));
    state.disposers.push(
      peer.events.on('data', (label, text) => {
        for (const edge of this.#graph.edgesFrom(id) ?? []) {
          if (edge.kind !== 'data') continue;
          const dest = this.#endpoints.get(edge.to);
          if (dest && !dest.muted.has('data')) dest.endpoint.peer.sendData(text, label);
        }
      }),
    );
  }

  detach(handleId: number): void {
    this.#disposeEndpoint(handleId);
    this.audio.detach(handleId);
  }

  forget(handleId: number): void {
    this.#disposeEndpoint(handleId);
    this.audio.forget(handleId);
    this.#graph.forget(handleId);
    this.#forwarders.removeHandle(handleId);
    void this.recorders.stopHandle(handleId);
  }

  addRoute(route: PlaneRoute): void {
    this.#graph.add(route);
    if (route.kinds.includes('video')) this.requestKeyframe(route.from);
  }

  removeRoute(route: PlaneRoute): void {
    this.#graph.remove(route);
  }

  setSending(handleId: number, kind: MediaKind, sending: boolean): void {
    const state = this.#endpoints.get(handleId);
    if (!state) return;
    if (sending) {
      state.muted.delete(kind);
      if (kind === 'video') this.#keyframeFromSources(handleId);
    } else state.muted.add(kind);
  }

  setBitrateCap(handleId: number, bitsPerSecond: number): void {
    this.#endpoints.get(handleId)?.endpoint.peer.setBitrateCap(bitsPerSecond);
  }

  requestKeyframe(handleId: number): void {
    this.#endpoints.get(handleId)?.endpoint.peer.requestKeyframe();
  }

  setSimulcastTarget(handleId: number, mid: string, target: SimulcastTarget): void {
    this.#graph.setTarget(handleId, mid, target);
    const send = this.#endpoints.get(handleId)?.sends.get(mid);
    if (send) send.target = { ...target };
    this.#keyframeFromSources(handleId);
  }

  detectTalking(handleId: number, options: TalkingOptions | null): void {
    this.#graph.setTalking(handleId, options);
    const state = this.#endpoints.get(handleId);
    if (state) {
      state.talking = options ?? undefined;
      state.detectors.clear();
    }
  }

  forwardRtp(handleId: number, forward: RtpForward): number {
    return this.#forwarders.add(handleId, forward);
  }

  stopRtpForward(id: number): void {
    this.#forwarders.remove(id);
  }

  /** Refused: an RTP endpoint needs the fast plane's own packet path (werift's carries only PeerConnections). */
  openRtpEndpoint(): Promise<RtpEndpointInfo> {
    return Promise.reject(new Error("RTP endpoints need the fast media plane (config media.plane 'fast', the default); the werift plane cannot carry them"));
  }

  closeRtpEndpoint(): void {
    // No endpoint can have been opened on this plane.
  }

  rtpEndpointStats(): RtpEndpointStats | undefined {
    return undefined;
  }

  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return this.#forwarders.list(handleId);
  }

  incoming(handleId: number): IncomingStreamInfo[] {
    const peer = this.#endpoints.get(handleId)?.endpoint.peer;
    return (peer?.receivedTracks ?? []).map((t) => ({ mid: t.mid, kind: t.kind, rid: t.rid, layer: t.layer, ssrc: t.ssrc, lastRtpAt: t.lastRtpAt }));
  }

  counters(handleId: number): MediaCounters | undefined {
    const c = this.#endpoints.get(handleId)?.counters;
    return c ? { ...c } : undefined;
  }

  close(): void {
    if (this.#closed) return;
    for (const id of [...this.#endpoints.keys()]) this.#disposeEndpoint(id);
    this.#graph.clear();
    this.#forwarders.close();
    void this.recorders.close();
    void this.audio.close();
    this.events.removeAllListeners();
    this.#closed = true;
  }

  #disposeEndpoint(handleId: number): void {
    const state = this.#endpoints.get(handleId);
    if (!state) return;
    for (const dispose of state.disposers) dispose();
    this.#endpoints.delete(handleId);
  }

  #keyframeFromSources(handleId: number): void {
    for (const from of this.#graph.sourcesOf(handleId)) this.requestKeyframe(from);
  }

  #sendState(dest: EndpointState, mid: string): SendState {
    let send = dest.sends.get(mid);
    if (!send) {
      send = { lastSsrc: undefined, layer: undefined, target: this.#graph.target(dest.endpoint.handleId, mid), lastKeyframeRequest: 0 };
      dest.sends.set(mid, send);
    }
    return send;
  }

  #wireTrack(state: EndpointState, received: ReceivedTrack): void {
    const { kind, mid } = received;
    const source = state.endpoint.handleId;
    const index = state.endpoint.peer.receivedTracks.filter((t) => t.kind === kind && t.rid === undefined).indexOf(received);
    const layers = () => state.endpoint.peer.receivedTracks.filter((t) => t.mid === mid && t.layer !== undefined);
    let codecs: Map<number, string> | undefined;
    const sub = received.track.onReceiveRtp.subscribe((rtp: RtpPacket, extensions) => {
      state.counters.packetsIn++;
      state.counters.bytesIn += rtp.payload.length + 12;
      if (kind === 'audio' && state.talking) this.#noteLevel(state, mid, extensions);
      if (this.#forwarders.wants(source, mid)) this.#forwarders.send(source, mid, rtp.serialize());
      if (state.tap !== undefined) {
        codecs ??= new Map(received.transceiver.codecs.map((c) => [c.payloadType, c.name.toLowerCase()]));
        const packet = rtp.serialize();
        state.tap.rtp(mid, kind, packet, packet.length, codecs);
      }
      const edges = this.#graph.edgesFrom(source);
      if (!edges) return;
      let sent = 0;
      for (const edge of edges) {
        if (edge.kind !== kind || (edge.fromMid !== undefined && edge.fromMid !== mid)) continue;
        const dest = this.#endpoints.get(edge.to);
        if (!dest || dest.muted.has(kind)) continue;
        const transceivers = dest.endpoint.peer.sendingTransceivers(kind);
        const transceiver = edge.toMid !== undefined ? transceivers.find((t) => t.mid === edge.toMid) : transceivers[Math.max(0, index)];
        if (!transceiver?.mid) {
          dest.counters.dropped++;
          continue;
        }
        const send = this.#sendState(dest, transceiver.mid);
        if (received.layer !== undefined && !this.#acceptLayer(send, received, rtp, layers(), source)) continue;
        // werift's sendRtp mutates the packet and merges ingress extension ids: give it a clean copy.
        const copy = sent++ === 0 && edges.length === 1 ? rtp : rtp.clone();
        copy.header.extensions = [];
        this.#keepContinuity(transceiver.sender, send, copy, kind);
        dest.counters.packetsOut++;
        dest.counters.bytesOut += copy.payload.length + 12;
        void transceiver.sender.sendRtp(copy).catch(() => undefined);
      }
    });
    state.disposers.push(() => sub.unSubscribe());
  }

  /**
   * Simulcast: forward only the current layer, switching to the wanted layer on a keyframe. The
   * wanted layer is the target, or the highest layer below it that is actually arriving (a
   * browser short of bandwidth stops sending its top layers).
   */
  #acceptLayer(send: SendState, received: ReceivedTrack, rtp: RtpPacket, layers: ReceivedTrack[], source: number): boolean {
    const now = performance.now();
    const wanted = wantedLayer(send.target, layers, now);
    if (received.layer === send.layer) {
      if (wanted !== send.layer) this.#requestLayerKeyframe(source, now, send);
      return true;
    }
    if (received.layer !== wanted) return false;
    if (!isVp8KeyframeStart(rtp.payload)) {
      this.#requestLayerKeyframe(source, now, send);
      return false;
    }
    send.layer = received.layer;
    return true;
  }

  /** Keyframe requests for a pending layer switch, at most one per KEYFRAME_INTERVAL_MS. */
  #requestLayerKeyframe(source: number, now: number, send: SendState): void {
    if (now - send.lastKeyframeRequest < KEYFRAME_INTERVAL_MS) return;
    send.lastKeyframeRequest = now;
    this.requestKeyframe(source);
  }

  #keepContinuity(sender: RTCRtpSender, send: SendState, rtp: RtpPacket, kind: MediaKind): void {
    const ssrc = rtp.header.ssrc;
    if (send.lastSsrc !== undefined && send.lastSsrc !== ssrc) sender.replaceRTP(rtp.header, false, kind === 'audio' ? SWITCH_STEP.audio : SWITCH_STEP.video);
    send.lastSsrc = ssrc;
  }

  #noteLevel(state: EndpointState, mid: string, extensions: unknown): void {
    const value = (extensions as Record<string, { level?: number } | undefined> | undefined)?.[AUDIO_LEVEL_URI];
    if (value?.level === undefined || !state.talking) return;
    let detector = state.detectors.get(mid);
    if (!detector) state.detectors.set(mid, (detector = new TalkingDetector(state.talking)));
    const change = detector.add(value.level);
    if (change) this.events.emit('talking', { handle: state.endpoint.handleId, mid, talking: change.talking, level: change.level });
  }
}
