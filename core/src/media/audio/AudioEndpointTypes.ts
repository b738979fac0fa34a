// How the mixer meets the network: an endpoint per participant receives its Opus packets and sends
// it mix frames. The mixer never touches werift or sockets itself, so the per-packet path can be
// swapped: WeriftAudioTransport rides werift's RTP stack (~40–60 µs per packet each way), and the
// SRTP fast path (core/src/media/srtp: one WASM call protects K copies) can implement the same
// interface, sendMany() being where it wins for the shared mix.
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';

/**
 * Receives a participant's packets: RTP sequence number, Opus payload (a view valid only during
 * the call) and the RFC 6464 level (0–127 −dBov) or −1 when the packet carried none.
 */
export type AudioPacketSink = (sequenceNumber: number, payload: Uint8Array, level: number) => void;

/** One participant's audio on the network. */
export interface AudioEndpoint {
  readonly handleId: number;
  /** True when a frame sent now reaches the client (PeerConnection up, a sending audio stream). */
  readonly canSend: boolean;
  /**
   * Sends one 20 ms frame (Opus, or G.711 for a participant that negotiated it). `timestamp` is the
   * mixer's 48 kHz clock (frame index × 960); the endpoint scales it to the negotiated codec's RTP
   * clock, adds its own random base and numbers the packets itself (RFC 3550 §5.1).
   */
  send(payload: Uint8Array, timestamp: number): void;
  /** Stops receiving and sending. Idempotent. */
  close(): void;
}

/** Opens endpoints on handles' PeerConnections. */
export interface AudioTransport {
  /**
   * True when send()/sendMany() are done with the payload when they return (the mixer worker's
   * hand-off then passes a view of its ring instead of a copy). Default false.
   */
  readonly sendsSynchronously?: boolean;
  open(handleId: number, peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint;
  /** Sends one payload to `count` endpoints (the shared mix). */
  sendMany(endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void;
}
