import type { MediaKind } from '@cardea/plugin-sdk';
import type { WebRtcPeer } from '../webrtc/WebRtcPeer.ts';

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
export interface MediaPlane {
  /** Registers a handle's PeerConnection; routes naming it become live. */
  attach(endpoint: MediaEndpoint): void;
  /** Forgets an endpoint and every route to or from it. */
  detach(handleId: number): void;
  addRoute(from: number, to: number, kinds: readonly MediaKind[]): void;
  removeRoute(from: number, to: number, kinds: readonly MediaKind[]): void;
  /** Pause or resume what is sent to `handleId` for `kind`. */
  setSending(handleId: number, kind: MediaKind, sending: boolean): void;
  requestKeyframe(handleId: number): void;
  counters(handleId: number): MediaCounters | undefined;
  close(): void;
}
