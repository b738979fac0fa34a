import { RtpHeader, RtpPacket, type RTCPeerConnection, type RTCRtpTransceiver } from 'werift';

/** Synthetic media: 20 ms audio frames at 50 pps, and a small VP8 "frame" every 40 ms. */
export class SyntheticMedia {
  /** 0xf8 is an Opus TOC byte (CELT fullband, 20 ms, RFC 6716 §3.1); the rest is filler. */
  static readonly audioPayload = Buffer.alloc(60, 0xf8);
  static readonly videoPayloadLength = 200;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(audio: RTCRtpTransceiver, video: RTCRtpTransceiver) {
    let audioSeq = 1000;
    let audioTs = 48_000;
    const audioPayload = SyntheticMedia.audioPayload;
    this.#timers.push(
      setInterval(() => {
        const header = new RtpHeader({ payloadType: 111, sequenceNumber: audioSeq, timestamp: audioTs, ssrc: 0x1234 });
        audioSeq = (audioSeq + 1) & 0xffff;
        audioTs = (audioTs + 960) >>> 0; // 20 ms at 48 kHz
        void audio.sender.sendRtp(new RtpPacket(header, audioPayload)).catch(() => undefined);
      }, 20),
    );
    let videoSeq = 5000;
    let videoTs = 90_000;
    let frame = 0;
    this.#timers.push(
      setInterval(() => {
        // VP8 payload descriptor (RFC 7741 §4.2): S=1, PID 0; then a 3-byte frame tag, keyframe every 25 frames.
        const key = frame % 25 === 0;
        const payload = Buffer.alloc(SyntheticMedia.videoPayloadLength, 0x55);
        payload[0] = 0x10;
        payload[1] = key ? 0x00 : 0x01;
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: videoSeq, timestamp: videoTs, ssrc: 0x5678, marker: true });
        videoSeq = (videoSeq + 1) & 0xffff;
        videoTs = (videoTs + 3600) >>> 0; // 40 ms at 90 kHz
        frame++;
        void video.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
      }, 40),
    );
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }
}

/** Waits until `pc`'s ICE gathering is complete (werift gathers on loopback in milliseconds). */
export async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

