import type {
  LayerSwitchEvent,
  MediaKind,
  RtpEndpointInfo,
  RtpEndpointOptions,
  RtpEndpointStats,
  RtpForward,
  SimulcastTarget,
  TalkingEvent,
  TalkingOptions,
} from '@cardea/plugin-sdk';
import type { TypedEmitter } from '../util/TypedEmitter.ts';
import type { WebRtcPeer } from '../webrtc/WebRtcPeer.ts';
import type { AudioMixers } from './audio/AudioMixers.ts';
import type { MediaRecorders } from './recording/MediaRecorders.ts';

/** A route as the media plane keeps it. */
export interface PlaneRoute {
  from: number;
  to: number;
  kinds: readonly MediaKind[];
  fromMid?: string | undefined;
  toMid?: string | undefined;
}

/** One endpoint of the media plane: a handle's PeerConnection, named by its handle id. */
export interface MediaEndpoint {
  readonly handleId: number;
  readonly peer: WebRtcPeer;
}

/** Counters the media plane keeps per endpoint (exposed by the Admin API). */
export interface MediaCounters {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  dropped: number;
}

/**
 * The media plane: moves packets along the routes plugins draw. Implementations may use werift's
 * per-packet path or bypass it (the SFU path owns SRTP/RTP/RTCP itself), behind this one interface.
 */
/** One stream a handle's client sends, as the media plane sees it (Admin API, tests). */
export interface IncomingStreamInfo {
  mid: string;
  kind: 'audio' | 'video';
  rid: string | undefined;
  layer: number | undefined;
  ssrc: number | undefined;
  /** performance.now() of the last packet (0 before any). */
  lastRtpAt: number;
}

/** Events the media plane reports to the plugin hosts. */
export interface MediaPlaneEvents {
  talking: [event: TalkingEvent];
  /** A simulcast substream or VP8 temporal-layer switch took effect for a destination. */
  layer: [event: LayerSwitchEvent];
}

export interface MediaPlane {
  readonly events: TypedEmitter<MediaPlaneEvents>;
  /** The audio MCU: mixers that decode, mix and encode handles' audio (core/src/media/audio). */
  readonly audio: AudioMixers;
  /** `.mjr` recordings of handles' incoming streams (core/src/media/recording); stopped when a handle is forgotten. */
  readonly recorders: MediaRecorders;
  /** Registers a handle's PeerConnection; routes naming it become live. */
  attach(endpoint: MediaEndpoint): void;
  /** Drops a handle's PeerConnection; routes naming the handle stay for its next one. */
  detach(handleId: number): void;
  /** Forgets a handle entirely: its PeerConnection and every route from or to it. */
  forget(handleId: number): void;
  /** Forward `from`'s streams of `kinds` (or just `fromMid`, into `toMid`) to `to`. */
  addRoute(route: PlaneRoute): void;
  /** Removes the matching routes (same from, to, kinds or mids). */
  removeRoute(route: PlaneRoute): void;
  /** Pause or resume what is sent to `handleId` for `kind`. */
  setSending(handleId: number, kind: MediaKind, sending: boolean): void;
  requestKeyframe(handleId: number): void;
  /** Caps what the client behind `handleId` sends, in bits per second (REMB); 0 removes the cap. */
  setBitrateCap(handleId: number, bitsPerSecond: number): void;
  /** Which simulcast layer `handleId` receives on `mid`. */
  setSimulcastTarget(handleId: number, mid: string, target: SimulcastTarget): void;
  /** Starts or (null) stops voice-activity detection on a handle's incoming audio. */
  detectTalking(handleId: number, options: TalkingOptions | null): void;
  /** Plain-RTP forwarding of an incoming stream; returns the forwarder id. */
  forwardRtp(handleId: number, forward: RtpForward): number;
  stopRtpForward(id: number): void;
  /**
   * Opens a plain RTP/RTCP endpoint (core/src/media/rtp); its negative id names it in routes. The
   * werift plane rejects: it has no packet path of its own to carry one.
   */
  openRtpEndpoint(options: RtpEndpointOptions): Promise<RtpEndpointInfo>;
  /** Closes an endpoint: its sockets, engine contexts and routes. Unknown ids are ignored. */
  closeRtpEndpoint(id: number): void;
  rtpEndpointStats(id: number): RtpEndpointStats | undefined;
  /** The forwarders of a handle (or all). */
  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }>;
  counters(handleId: number): MediaCounters | undefined;
  /** The streams a handle's client sends. */
  incoming(handleId: number): IncomingStreamInfo[];
  close(): void;
}
