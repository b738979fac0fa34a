// The mixer's endpoints on werift's own RTP path: track.onReceiveRtp in, sender.sendRtp out. It is
// complete (SRTP, RTCP sender reports, NACK-free audio) but costs ~40–60 µs per packet each way
// (shared/research/werift.md), which caps a room on one core near ~150 participants before any
// codec work; AudioEndpointTypes.ts says how a faster path plugs in.
import { RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import type { ReceivedTrack, WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioPacketSink, AudioTransport } from './AudioEndpointTypes.ts';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** werift's sender writes the negotiated payload type and SSRC over these. */
const PLACEHOLDER_PT = 111;

class WeriftAudioEndpoint implements AudioEndpoint {
  readonly handleId: number;
  readonly #peer: WebRtcPeer;
  readonly #sink: AudioPacketSink;
  readonly #disposers: Array<() => void> = [];
  #transceiver: RTCRtpTransceiver | undefined;
  #track: ReceivedTrack | undefined;
  #seq = Math.floor(Math.random() * 0x10000);
  readonly #tsBase = Math.floor(Math.random() * 0x100000000);
  #closed = false;
  #first = true;

  constructor(handleId: number, peer: WebRtcPeer, sink: AudioPacketSink) {
    this.handleId = handleId;
    this.#peer = peer;
    this.#sink = sink;
    for (const track of peer.receivedTracks) this.#wire(track);
    this.#disposers.push(peer.events.on('track', (track) => this.#wire(track)));
  }

  get canSend(): boolean {
    if (this.#closed || !this.#peer.isUp || this.#peer.isClosed) return false;
    this.#transceiver ??= this.#peer.sendingTransceivers('audio')[0];
    return this.#transceiver !== undefined;
  }

  send(payload: Uint8Array, timestamp: number): void {
    if (!this.canSend) return;
    const transceiver = this.#transceiver as RTCRtpTransceiver;
    const header = new RtpHeader({
      payloadType: PLACEHOLDER_PT,
      sequenceNumber: this.#seq,
      // The mixer's clock is 48 kHz; G.711's RTP clock is 8 kHz (RFC 3551 §4.5.14).
      timestamp: (this.#tsBase + Math.round((timestamp * (transceiver.sender.codec?.clockRate ?? 48000)) / 48000)) >>> 0,
      // RFC 3551 §4.1: the marker flags the first packet of a talkspurt.
      marker: this.#first,
    });
    this.#first = false;
    this.#seq = (this.#seq + 1) & 0xffff;
    const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    void transceiver.sender.sendRtp(new RtpPacket(header, body)).catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
  }

  /** The first audio stream the client sends is the participant's voice. */
  #wire(track: ReceivedTrack): void {
    if (this.#closed || track.kind !== 'audio' || this.#track !== undefined) return;
    this.#track = track;
    const sink = this.#sink;
    const sub = track.track.onReceiveRtp.subscribe((rtp, extensions) => {
      sink(rtp.header.sequenceNumber, rtp.payload, levelOf(extensions));
    });
    this.#disposers.push(() => sub.unSubscribe());
  }
}

/** The RFC 6464 level werift parsed from a packet's header extensions, or −1. */
function levelOf(extensions: unknown): number {
  const ext = (extensions as Record<string, { level?: number } | undefined> | undefined)?.[AUDIO_LEVEL_URI];
  return ext?.level ?? -1;
}

/** Endpoints over werift; sendMany() is a loop here (the fast path batches it). */
export class WeriftAudioTransport implements AudioTransport {
  open(handleId: number, peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint {
    return new WeriftAudioEndpoint(handleId, peer, sink);
  }

  sendMany(endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void {
    for (let i = 0; i < count; i++) (endpoints[i] as AudioEndpoint).send(payload, timestamp);
  }
}
