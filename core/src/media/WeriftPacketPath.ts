import type { MediaKind, RtpEndpointInfo, RtpEndpointStats, RtpForward, SimulcastTarget } from '@cardea/plugin-sdk';
import type { RTCRtpSender, RtpPacket } from 'werift';
import type { ReceivedTrack } from '../webrtc/WebRtcPeer.ts';
import type { MediaNode } from './MediaNode.ts';
import type { IncomingStreamInfo } from './MediaPlaneTypes.ts';
import type { PacketPath, PacketPathHost, PathDestination } from './PacketPathTypes.ts';
import { KEYFRAME_INTERVAL_MS, SWITCH_STEP, wantedLayer } from './RouteGraph.ts';
import { RtpForwarders } from './RtpForwarders.ts';
import { isVp8KeyframeStart } from './vp8.ts';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** What a destination stream (one sending transceiver) remembers between packets. */
interface SendState {
  /** SSRC of the source stream last forwarded, to keep seq/ts continuous across switches. */
  lastSsrc: number | undefined;
  /** Simulcast layer forwarded now. */
  layer: number | undefined;
  target: SimulcastTarget;
  lastKeyframeRequest: number;
}

/**
 * werift's own per-packet path (track.onReceiveRtp → sender.sendRtp). Complete but ~42 µs per
 * forwarded packet (shared/research/werift.md); the fast path bypasses it. Without mids, the i-th
 * received stream of a kind goes to the i-th sending stream of that kind. Simulcast layers switch
 * on VP8 keyframes; werift's `replaceRTP` keeps the subscriber's sequence numbers and timestamps
 * continuous across layer and source switches.
 */
export class WeriftPacketPath implements PacketPath {
  /** The mixers use werift's tracks directly (WeriftAudioTransport, the AudioMixers default). */
  readonly audioTransport = undefined;
  #host!: PacketPathHost;
  /** Per destination handle, per sending mid. */
  readonly #sends = new Map<number, Map<string, SendState>>();
  #forwarders!: RtpForwarders;

  bind(host: PacketPathHost): void {
    this.#host = host;
    this.#forwarders = new RtpForwarders((handleId) => host.node(handleId));
  }

  attach(node: MediaNode): void {
    this.#sends.set(node.handleId, new Map<string, SendState>());
    this.#forwarders.attached(node);
    for (const t of node.peer.receivedTracks) this.#wireTrack(node, t);
    node.disposers.push(node.peer.events.on('track', (t) => this.#wireTrack(node, t)));
  }

  detach(node: MediaNode): void {
    this.#sends.delete(node.handleId);
  }

  forgetHandle(handleId: number): void {
    this.#forwarders.removeHandle(handleId);
  }

  requestKeyframe(handleId: number): void {
    this.#host.node(handleId)?.peer.requestKeyframe();
  }

  setBitrateCap(node: MediaNode, bitsPerSecond: number): void {
    node.peer.setBitrateCap(bitsPerSecond);
  }

  targetChanged(handleId: number, mid: string, target: SimulcastTarget): void {
    const send = this.#sends.get(handleId)?.get(mid);
    if (send) send.target = { ...target };
  }

  destination(): PathDestination | undefined {
    return undefined;
  }

  forwardRtp(handleId: number, forward: RtpForward): number {
    return this.#forwarders.add(handleId, forward);
  }

  stopRtpForward(id: number): void {
    this.#forwarders.remove(id);
  }

  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return this.#forwarders.list(handleId);
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

  incoming(node: MediaNode): IncomingStreamInfo[] {
    return node.peer.receivedTracks.map((t) => ({ mid: t.mid, kind: t.kind, rid: t.rid, layer: t.layer, ssrc: t.ssrc, lastRtpAt: t.lastRtpAt }));
  }

  close(): void {
    this.#sends.clear();
    this.#forwarders.close();
  }

  #sendState(handleId: number, mid: string): SendState {
    let sends = this.#sends.get(handleId);
    if (!sends) this.#sends.set(handleId, (sends = new Map<string, SendState>()));
    let send = sends.get(mid);
    if (!send) sends.set(mid, (send = { lastSsrc: undefined, layer: undefined, target: this.#host.graph.target(handleId, mid), lastKeyframeRequest: 0 }));
    return send;
  }

  #wireTrack(node: MediaNode, received: ReceivedTrack): void {
    const { kind, mid } = received;
    const source = node.handleId;
    const peer = node.peer;
    const index = peer.receivedTracks.filter((t) => t.kind === kind && t.rid === undefined).indexOf(received);
    const layers = (): ReceivedTrack[] => peer.receivedTracks.filter((t) => t.mid === mid && t.layer !== undefined);
    const taps = node.tapsFor(mid, kind, new Map(received.transceiver.codecs.map((c) => [c.payloadType, c.name.toLowerCase()])));
    const graph = this.#host.graph;
    const sub = received.track.onReceiveRtp.subscribe((rtp: RtpPacket, extensions) => {
      node.counters.packetsIn++;
      node.counters.bytesIn += rtp.payload.length + 12;
      taps.noteFlow(performance.now());
      if (taps.count > 0) {
        // werift hands parsed packets: the taps read the wire form (one serialisation for all of them).
        const packet = rtp.serialize();
        const level = taps.wantsLevel ? audioLevel(extensions) : -1;
        taps.run(packet, packet.length, level);
      }
      const edges = graph.edgesFrom(source);
      if (!edges) return;
      let sent = 0;
      for (const edge of edges) {
        if (edge.kind !== kind || (edge.fromMid !== undefined && edge.fromMid !== mid)) continue;
        const dest = this.#host.node(edge.to);
        if (!dest || dest.muted.has(kind)) continue;
        const transceivers = dest.peer.sendingTransceivers(kind);
        const transceiver = edge.toMid !== undefined ? transceivers.find((t) => t.mid === edge.toMid) : transceivers[Math.max(0, index)];
        if (!transceiver?.mid) {
          dest.counters.dropped++;
          continue;
        }
        const send = this.#sendState(dest.handleId, transceiver.mid);
        if (received.layer !== undefined && !this.#acceptLayer(send, received, rtp, layers(), source)) continue;
        // werift's sendRtp mutates the packet and merges ingress extension ids: give it a clean copy.
        const copy = sent++ === 0 && edges.length === 1 ? rtp : rtp.clone();
        copy.header.extensions = [];
        keepContinuity(transceiver.sender, send, copy, kind);
        dest.counters.packetsOut++;
        dest.counters.bytesOut += copy.payload.length + 12;
        void transceiver.sender.sendRtp(copy).catch(() => undefined);
      }
    });
    node.disposers.push(() => sub.unSubscribe());
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
    this.#host.requestKeyframe(source);
  }
}

function keepContinuity(sender: RTCRtpSender, send: SendState, rtp: RtpPacket, kind: MediaKind): void {
  const ssrc = rtp.header.ssrc;
  if (send.lastSsrc !== undefined && send.lastSsrc !== ssrc) sender.replaceRTP(rtp.header, false, kind === 'audio' ? SWITCH_STEP.audio : SWITCH_STEP.video);
  send.lastSsrc = ssrc;
}

/** The RFC 6464 level werift parsed from a packet's extensions, −1 when absent. */
function audioLevel(extensions: unknown): number {
  const value = (extensions as Record<string, { level?: number } | undefined> | undefined)?.[AUDIO_LEVEL_URI];
  return value?.level ?? -1;
}
