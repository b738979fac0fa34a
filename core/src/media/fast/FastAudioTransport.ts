// The audio mixer's endpoints on Cardea's fast path: a participant's Opus packets come from the
// fast plane's per-datagram handler (already unprotected, no werift objects), and mix frames leave
// through the SRTP engine — one call protects the shared mix for every listener of it.
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioPacketSink, AudioTransport } from '../audio/AudioEndpointTypes.ts';

/** What the transport needs from the fast plane. */
export interface FastAudioPlane {
  /** Delivers the audio packets of `handleId` to `sink` instead of routing them (null stops). */
  setAudioSink(handleId: number, sink: AudioPacketSink | null): void;
  /** True when `handleId`'s PeerConnection is up with a sending audio m-line. */
  canSendAudio(handleId: number): boolean;
  /**
   * Sends one Opus frame to `count` handles: one RTP packet numbered by the frame (so a listener
   * moving between its own mix and a shared one keeps a continuous sequence), protected per handle.
   */
  sendAudio(handleIds: readonly number[], count: number, payload: Uint8Array, timestamp: number): void;
}

class FastAudioEndpoint implements AudioEndpoint {
  readonly handleId: number;
  readonly #plane: FastAudioPlane;
  readonly #one: number[];
  #closed = false;

  constructor(handleId: number, plane: FastAudioPlane, sink: AudioPacketSink) {
    this.handleId = handleId;
    this.#plane = plane;
    this.#one = [handleId];
    plane.setAudioSink(handleId, sink);
  }

  get canSend(): boolean {
    return !this.#closed && this.#plane.canSendAudio(this.handleId);
  }

  send(payload: Uint8Array, timestamp: number): void {
    if (!this.#closed) this.#plane.sendAudio(this.#one, 1, payload, timestamp);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#plane.setAudioSink(this.handleId, null);
  }
}

/** The AudioTransport of the fast plane. */
export class FastAudioTransport implements AudioTransport {
  /** The SRTP engine copies the payload into its input buffer during the call. */
  readonly sendsSynchronously = true;
  readonly #plane: FastAudioPlane;
  readonly #ids: number[] = [];

  constructor(plane: FastAudioPlane) {
    this.#plane = plane;
  }

  open(handleId: number, _peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint {
    return new FastAudioEndpoint(handleId, this.#plane, sink);
  }

  sendMany(endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void {
    const ids = this.#ids;
    ids.length = 0;
    for (let i = 0; i < count; i++) {
      const endpoint = endpoints[i];
      if (endpoint?.canSend) ids.push(endpoint.handleId);
    }
    if (ids.length > 0) this.#plane.sendAudio(ids, ids.length, payload, timestamp);
  }
}
