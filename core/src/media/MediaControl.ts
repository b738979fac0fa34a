import type { MediaKind, RtpEndpointInfo, RtpEndpointOptions, RtpEndpointStats, RtpForward, SimulcastTarget, TalkingOptions } from '@cardea/plugin-sdk';
import { TypedEmitter } from '../util/TypedEmitter.ts';
import { AudioMixers } from './audio/AudioMixers.ts';
import type { AudioPacketSink } from './audio/AudioEndpointTypes.ts';
import { MediaNode } from './MediaNode.ts';
import type { IncomingStreamInfo, MediaCounters, MediaEndpoint, MediaPlane, MediaPlaneEvents, PlaneRoute } from './MediaPlaneTypes.ts';
import type { PacketPath, PacketPathHost } from './PacketPathTypes.ts';
import { MediaRecorders } from './recording/MediaRecorders.ts';
import { KEYFRAME_RETRY_MS, RouteGraph } from './RouteGraph.ts';

/** How often the no-media timer looks for silent mids (ms); a mid goes silent within this much after the peer's `noMediaTimerMs`. */
export const FLOW_CHECK_MS = 100;

/** Options of the control part common to every plane. */
export interface MediaControlOptions {
  /** Where audio mixers run (config `media.audioMixerThread`; default 'main' here, 'worker' in the gateway). */
  audioMixerThread?: 'main' | 'worker';
  /** Nice value of the mixer worker thread (config `media.audioMixerNice`, default 0). */
  audioMixerNice?: number;
}

/**
 * The control half of a media plane, shared by every packet path: the handles attached (each a
 * MediaNode), the route graph plugins draw, mute, talking detection, recordings, audio mixers,
 * forwarders and endpoints (delegated to the path), media-flow state, events and the close cascade.
 * A plane is this class over a PacketPath (FastMediaPlane, WeriftMediaPlane); the plugin hosts see
 * only `MediaPlane`.
 */
export class MediaControl implements MediaPlane {
  readonly events = new TypedEmitter<MediaPlaneEvents>();
  readonly audio: AudioMixers;
  readonly recorders = new MediaRecorders((handleId, tap) => this.#nodes.get(handleId)?.setRecorder(tap));
  readonly #path: PacketPath;
  readonly #graph = new RouteGraph();
  readonly #nodes = new Map<number, MediaNode>();
  /** The mixer's input per handle (set by the path's audio transport, possibly before attach). */
  readonly #audioSinks = new Map<number, AudioPacketSink>();
  readonly #flowTimer: NodeJS.Timeout;
  #closed = false;

  constructor(path: PacketPath, options: MediaControlOptions = {}) {
    this.#path = path;
    const host: PacketPathHost = {
      graph: this.#graph,
      events: this.events,
      node: (handleId) => this.#nodes.get(handleId),
      nodes: () => this.#nodes.values(),
      keyframeFromSources: (handleId, mid) => this.#keyframeFromSources(handleId, mid),
      requestKeyframe: (handleId) => this.requestKeyframe(handleId),
      addRoute: (route) => this.addRoute(route),
      forgetRoutes: (id) => this.#graph.forget(id),
      setAudioSink: (handleId, sink) => this.setAudioSink(handleId, sink),
    };
    path.bind(host);
    this.audio = new AudioMixers({
      ...(path.audioTransport ? { transport: path.audioTransport } : {}),
      thread: options.audioMixerThread ?? 'main',
      workerNice: options.audioMixerNice ?? 0,
    });
    this.#flowTimer = setInterval(() => this.#checkFlow(), FLOW_CHECK_MS);
    this.#flowTimer.unref();
  }

  /** Feeds `handleId`'s audio packets to the mixer instead of routing them (null stops); for a path's audio transport. */
  setAudioSink(handleId: number, sink: AudioPacketSink | null): void {
    if (sink) this.#audioSinks.set(handleId, sink);
    else this.#audioSinks.delete(handleId);
    this.#nodes.get(handleId)?.setAudioSink(sink ?? undefined);
  }

  /** The control state of an attached handle (for a path's audio transport and tests). */
  node(handleId: number): MediaNode | undefined {
    return this.#nodes.get(handleId);
  }

  attach(endpoint: MediaEndpoint): void {
    if (this.#closed) return;
    this.#dispose(endpoint.handleId);
    const id = endpoint.handleId;
    const node = new MediaNode(endpoint, this.events, { talking: this.#graph.talking(id), recorder: this.recorders.tap(id), audioSink: this.#audioSinks.get(id) });
    this.#nodes.set(id, node);
    this.audio.attach(id, endpoint.peer);
    const { peer } = node;
    this.#path.attach(node);
    // A destination that just came up missed its sources' first keyframe: ask again, a few times
    // over the first second because the sources' own PeerConnections may still be connecting.
    node.disposers.push(
      peer.events.on('up', () => {
        for (const delay of KEYFRAME_RETRY_MS) {
          const timer = setTimeout(() => this.#keyframeFromSources(id), delay);
          node.disposers.push(() => clearTimeout(timer));
        }
      }),
    );
    node.disposers.push(peer.events.on('keyframeRequested', () => this.#keyframeFromSources(id)));
    node.disposers.push(
      peer.events.on('data', (label, text) => {
        for (const edge of this.#graph.edgesFrom(id) ?? []) {
          if (edge.kind !== 'data') continue;
          const dest = this.#nodes.get(edge.to);
          if (dest && !dest.muted.has('data')) dest.peer.sendData(text, label);
        }
      }),
    );
  }

  detach(handleId: number): void {
    this.#dispose(handleId);
    this.audio.detach(handleId);
  }

  forget(handleId: number): void {
    this.#dispose(handleId);
    this.audio.forget(handleId);
    this.#graph.forget(handleId);
    this.#path.forgetHandle(handleId);
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
    const dest = handleId < 0 ? this.#path.destination(handleId) : this.#nodes.get(handleId);
    if (!dest) return;
    if (!sending) {
      dest.muted.add(kind);
      return;
    }
    dest.muted.delete(kind);
    if (kind === 'video') this.#keyframeFromSources(handleId);
  }

  requestKeyframe(handleId: number): void {
    this.#path.requestKeyframe(handleId);
  }

  setBitrateCap(handleId: number, bitsPerSecond: number): void {
    const node = this.#nodes.get(handleId);
    if (node) this.#path.setBitrateCap(node, bitsPerSecond);
  }

  setSimulcastTarget(handleId: number, mid: string, target: SimulcastTarget): void {
    this.#graph.setTarget(handleId, mid, target);
    this.#path.targetChanged(handleId, mid, target);
    this.#keyframeFromSources(handleId);
  }

  detectTalking(handleId: number, options: TalkingOptions | null): void {
    this.#graph.setTalking(handleId, options);
    this.#nodes.get(handleId)?.setTalking(options ?? undefined);
  }

  forwardRtp(handleId: number, forward: RtpForward): number {
    return this.#path.forwardRtp(handleId, forward);
  }

  stopRtpForward(id: number): void {
    this.#path.stopRtpForward(id);
  }

  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return this.#path.listRtpForwarders(handleId);
  }

  openRtpEndpoint(options: RtpEndpointOptions): Promise<RtpEndpointInfo> {
    if (this.#closed) return Promise.reject(new Error('media plane closed'));
    return this.#path.openRtpEndpoint(options);
  }

  closeRtpEndpoint(id: number): void {
    this.#path.closeRtpEndpoint(id);
  }

  rtpEndpointStats(id: number): RtpEndpointStats | undefined {
    return this.#path.rtpEndpointStats(id);
  }

  incoming(handleId: number): IncomingStreamInfo[] {
    const node = this.#nodes.get(handleId);
    return node ? this.#path.incoming(node) : [];
  }

  counters(handleId: number): MediaCounters | undefined {
    const c = (handleId < 0 ? this.#path.destination(handleId) : this.#nodes.get(handleId))?.counters;
    return c ? { ...c } : undefined;
  }

  /** Closes downwards: nodes (and their path state), routes, the path, recordings, mixers, listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#flowTimer);
    for (const id of [...this.#nodes.keys()]) this.#dispose(id);
    this.#graph.clear();
    this.#path.close();
    void this.recorders.close();
    void this.audio.close();
    this.events.removeAllListeners();
  }

  #dispose(handleId: number): void {
    const node = this.#nodes.get(handleId);
    if (!node) return;
    this.#path.detach(node);
    node.close();
    this.#nodes.delete(handleId);
  }

  /** Asks the sources routed to `handleId` (into `mid` only, when given) for a keyframe. */
  #keyframeFromSources(handleId: number, mid?: string): void {
    for (const from of this.#graph.sourcesOf(handleId)) {
      if (mid === undefined || (this.#graph.edgesFrom(from) ?? []).some((e) => e.to === handleId && (e.toMid === undefined || e.toMid === mid)))
        this.requestKeyframe(from);
    }
  }

  #checkFlow(): void {
    const now = performance.now();
    for (const node of this.#nodes.values()) node.checkFlow(now, node.peer.noMediaTimerMs);
  }
}
