// A werift audio-only PeerConnection for tests that talk to audio plugins through the gateway: it
// offers one sendrecv audio m-line (Opus by default, or G.711), sends a payload every 20 ms with an
// optional RFC 6464 audio level, and records every RTP packet it receives.
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  serializeAudioLevelIndication,
  useAudioLevelIndication,
  useSdesMid,
  type RTCRtpTransceiver,
} from 'werift';
import type { JanusClient, JanusMessage, JanusRequest } from './janusClient.ts';
import { gathered } from './syntheticMedia.ts';

const LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** The codec the peer offers (the only one in its offer). */
export type AudioPeerCodec = 'opus' | 'pcmu' | 'pcma';

/** What one received packet carried. */
export interface ReceivedAudio {
  payload: Uint8Array;
  timestamp: number;
  payloadType: number;
  /** performance.now() at arrival. */
  at: number;
}

const codecs: Record<AudioPeerCodec, RTCRtpCodecParameters> = {
  opus: new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 }),
  // RFC 3551 §6: static payload types 0 (PCMU) and 8 (PCMA), 8 kHz, mono.
  pcmu: new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
  pcma: new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 }),
};

export class AudioPeer {
  readonly pc: RTCPeerConnection;
  readonly received: ReceivedAudio[] = [];
  readonly codec: AudioPeerCodec;
  readonly audio: RTCRtpTransceiver;
  /** The negotiated id of the audio-level extension, 0 until answered (or when not negotiated). */
  levelId = 0;
  /** RFC 6464 level (0 loudest … 127 silence) written on outgoing packets; −1 writes none. */
  level = -1;
  #seq = 1;
  #ts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(codec: AudioPeerCodec = 'opus') {
    this.codec = codec;
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
      codecs: { audio: [codecs[codec]] },
      headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] },
    });
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.audio.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) =>
        this.received.push({
          payload: Uint8Array.from(rtp.payload),
          timestamp: rtp.header.timestamp,
          payloadType: rtp.header.payloadType,
          at: performance.now(),
        }),
      ),
    );
  }

  /**
   * Sends `body` with this peer's offer on `handle` and applies the answer from the first event
   * carrying a JSEP; resolves with that event once `webrtcup` arrived.
   */
  async connect(client: JanusClient, handle: number, body: JanusRequest): Promise<JanusMessage> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    const at = client.events.length;
    await client.message(handle, body, { type: 'offer', sdp: this.pc.localDescription?.sdp ?? '' });
    const answer = await client.waitForEvent((m) => m.sender === handle && m.jsep !== undefined, 10_000, at);
    const sdp = answer.jsep?.sdp ?? '';
    const ext = new RegExp(`a=extmap:(\\d+)(?:/\\w+)? ${LEVEL_URI}`).exec(sdp);
    this.levelId = ext ? Number(ext[1]) : 0;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    await client.waitForEvent((m) => m.janus === 'webrtcup' && m.sender === handle, 10_000, at);
    return answer;
  }

  /** Sends `next()`'s payload every 20 ms (the RTP clock advances by 20 ms of the codec's rate). */
  send(next: () => Uint8Array): void {
    const step = this.codec === 'opus' ? 960 : 160;
    this.stop();
    this.#timer = setInterval(() => {
      const header = new RtpHeader({
        payloadType: codecs[this.codec].payloadType,
        sequenceNumber: this.#seq,
        timestamp: this.#ts,
        ssrc: 0x5151,
      });
      if (this.levelId > 0 && this.level >= 0)
        header.extensions = [{ id: this.levelId, payload: Buffer.from(serializeAudioLevelIndication(this.level)) }];
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#ts = (this.#ts + step) >>> 0;
      void this.audio.sender.sendRtp(new RtpPacket(header, Buffer.from(next()))).catch(() => undefined);
    }, 20);
  }

  /** Largest time between consecutive received packets since `mark` (the one before it counts), in ms. */
  maxGapSince(mark: number): number {
    let gap = 0;
    let previous = mark;
    for (const r of this.received) {
      if (r.at >= mark) gap = Math.max(gap, r.at - previous);
      previous = r.at;
    }
    return Math.max(gap, performance.now() - previous);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.stop();
    await this.pc.close();
  }
}
