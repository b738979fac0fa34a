import type { MediaKind } from '@cardea/plugin-sdk';
import type { MediaCounters } from '../MediaPlaneTypes.ts';
import type { EgressStream } from './FastEndpoint.ts';

/** Where the fast path hands a finished copy: a socket view, sent at once (no per-packet allocation). */
export interface FastSender {
  send(buf: Uint8Array, offset: number, length: number): void;
}

/**
 * What the fast plane's fan-out needs of a destination: a handle's PeerConnection (FastEndpoint)
 * or a plain RTP endpoint (core/src/media/rtp/RtpEndpoint.ts). Both are named by a number in the
 * route graph: handles by their (positive) handle id, RTP endpoints by a negative id.
 */
export interface FastDestination {
  readonly handleId: number;
  /** Undefined while the destination cannot send (no ICE pair yet; an RTP endpoint with no remote). */
  readonly bypass: FastSender | undefined;
  readonly muted: Set<MediaKind>;
  /** Egress streams by mid, and by kind in m-line order. */
  readonly egress: Map<string, EgressStream>;
  readonly egressByKind: Record<'audio' | 'video', EgressStream[]>;
  readonly counters: MediaCounters;
}
