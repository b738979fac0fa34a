import type { MediaKind, RtpEndpointInfo, RtpEndpointOptions, RtpEndpointStats, RtpForward, SimulcastTarget } from '@cardea/plugin-sdk';
import type { AudioPacketSink, AudioTransport } from './audio/AudioEndpointTypes.ts';
import type { MediaNode } from './MediaNode.ts';
import type { IncomingStreamInfo, MediaCounters, MediaPlaneEvents, PlaneRoute } from './MediaPlaneTypes.ts';
import type { RouteGraph } from './RouteGraph.ts';
import type { TypedEmitter } from '../util/TypedEmitter.ts';

/** A route-graph node that is not a handle (an RTP endpoint, negative id): what the control part mutes and counts. */
export interface PathDestination {
  readonly muted: Set<MediaKind>;
  readonly counters: MediaCounters;
}

/**
 * What the control part (MediaControl) offers a packet path. Bound once at construction: nothing
 * here is called per packet except reading `graph` and `node`, and `events` on a layer change.
 */
export interface PacketPathHost {
  /** The routes, simulcast targets and talking settings (read per packet; the control part writes them). */
  readonly graph: RouteGraph;
  readonly events: TypedEmitter<MediaPlaneEvents>;
  /** The control state of an attached handle. */
  node(handleId: number): MediaNode | undefined;
  /** Every attached handle (for periodic reports). */
  nodes(): IterableIterator<MediaNode>;
  /** Asks every source routed to `handleId` (only those routed into `mid`, when given) for a keyframe. */
  keyframeFromSources(handleId: number, mid?: string): void;
  requestKeyframe(handleId: number): void;
  addRoute(route: PlaneRoute): void;
  /** Drops every route from or to `id` (an RTP endpoint that closed). */
  forgetRoutes(id: number): void;
  /** Feeds `handleId`'s audio packets to the mixer (a tap that consumes them) instead of routing them; null stops. */
  setAudioSink(handleId: number, sink: AudioPacketSink | null): void;
}

/**
 * A media plane's packet path: how packets of the attached handles are received, rewritten and
 * sent. The control half (routes, mute, talking, recorders, mixers, events, the close cascade) is
 * MediaControl's, shared by every path; a path reads the route graph and each stream's taps
 * (MediaNode.tapsFor) and keeps the per-packet state.
 */
export interface PacketPath {
  /** How the audio mixers send and receive through this path (undefined: werift's own tracks). */
  readonly audioTransport: AudioTransport | undefined;
  /** Called once, before any other member. */
  bind(host: PacketPathHost): void;
  /** A handle's PeerConnection joined: wire its packets (push disposers onto `node.disposers`). */
  attach(node: MediaNode): void;
  /** The handle's PeerConnection is gone (its node is closed by the control part after this). */
  detach(node: MediaNode): void;
  /** The handle is forgotten: drop what the path keeps for it beyond its PeerConnection (forwarders). */
  forgetHandle(handleId: number): void;
  /** Asks the client behind `handleId` (or the remote of an RTP endpoint) for a keyframe. */
  requestKeyframe(handleId: number): void;
  setBitrateCap(node: MediaNode, bitsPerSecond: number): void;
  /** A destination's simulcast target changed (already in the graph). */
  targetChanged(handleId: number, mid: string, target: SimulcastTarget): void;
  /** An RTP endpoint (negative id) as a route destination, for mute and counters. */
  destination(id: number): PathDestination | undefined;
  forwardRtp(handleId: number, forward: RtpForward): number;
  stopRtpForward(id: number): void;
  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }>;
  openRtpEndpoint(options: RtpEndpointOptions): Promise<RtpEndpointInfo>;
  closeRtpEndpoint(id: number): void;
  rtpEndpointStats(id: number): RtpEndpointStats | undefined;
  /** The streams a handle's client sends. */
  incoming(node: MediaNode): IncomingStreamInfo[];
  /** Releases sockets, timers and engine state. Called once, after every node was detached. */
  close(): void;
}
