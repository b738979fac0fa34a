// A werift PeerConnection that does an echo through any echo-like plugin (the built-in EchoTest or a
// user plugin deployed through the Admin API), sends synthetic audio and video, and records when
// each echoed packet comes back, so tests can assert "no gap" across hot reloads and attacks.
import { RTCPeerConnection, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import type { JanusClient, JanusMessage } from './janusClient.ts';
import { waitFor } from './polling.ts';

/** Audio every 20 ms (50 pps), video every 40 ms. */
const AUDIO_MS = 20;
const VIDEO_MS = 40;

/** What arrived on one kind since a mark. */
export interface ArrivalStats {
  packets: number;
  /** Largest time between two consecutive echoed packets, in ms. */
  maxGapMs: number;
  /** Sequence numbers skipped between consecutive echoed packets. */
  missing: number;
}

class Arrivals {
  readonly times: number[] = [];
  readonly seqs: number[] = [];

  push(seq: number): void {
    this.times.push(performance.now());
    this.seqs.push(seq);
  }

  since(mark: number): ArrivalStats {
    let first = this.times.findIndex((t) => t >= mark);
    if (first < 0) return { packets: 0, maxGapMs: Number.POSITIVE_INFINITY, missing: 0 };
    // The gap from the last packet before the mark counts too.
    if (first > 0) first--;
    let maxGapMs = 0;
    let missing = 0;
    for (let i = first + 1; i < this.times.length; i++) {
      maxGapMs = Math.max(maxGapMs, (this.times[i] ?? 0) - (this.times[i - 1] ?? 0));
      const step = ((this.seqs[i] ?? 0) - (this.seqs[i - 1] ?? 0) + 0x10000) & 0xffff;
      if (step > 1 && step < 0x8000) missing += step - 1;
    }
    maxGapMs = Math.max(maxGapMs, performance.now() - (this.times[this.times.length - 1] ?? 0));
    return { packets: this.times.length - first - 1, maxGapMs, missing };
  }
}

/** One echo session: a handle on `plugin`, a PeerConnection, synthetic media, arrival records. */
export class EchoPeer {
  readonly handle: number;
  readonly audio = new Arrivals();
  readonly video = new Arrivals();
  readonly #pc: RTCPeerConnection;
  readonly #timers: NodeJS.Timeout[] = [];

  private constructor(handle: number, pc: RTCPeerConnection) {
    this.handle = handle;
    this.#pc = pc;
  }

  /** Attaches to `plugin`, offers audio + video, applies the answer and waits for echoed media. */
  static async start(client: JanusClient, plugin: string, body: Record<string, unknown> = { audio: true, video: true }): Promise<EchoPeer> {
    const handle = await client.attach(plugin);
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
    });
    const peer = new EchoPeer(handle, pc);
    try {
      const audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
      const video = pc.addTransceiver('video', { direction: 'sendrecv' });
      audio.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => peer.audio.push(p.header.sequenceNumber)));
      video.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => peer.video.push(p.header.sequenceNumber)));
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const offer = pc.localDescription;
      if (!offer) throw new Error('werift made no offer');
      const from = client.events.length;
      const ack = await client.message(handle, body, { type: 'offer', sdp: offer.sdp });
      const answered = await client.waitForEvent(
        (m: JanusMessage) => m.janus === 'event' && m.sender === handle && m.jsep?.type === 'answer' && m.transaction === ack.transaction,
        10_000,
        from,
      );
      if (!answered.jsep) throw new Error('no answer');
      await pc.setRemoteDescription({ type: 'answer', sdp: answered.jsep.sdp });
      await client.waitForEvent((m) => m.janus === 'webrtcup' && m.sender === handle, 10_000, from);
      peer.#send(audio, video);
      await waitFor(
        () => peer.audio.times.length,
        (n) => n > 10,
        10_000,
        `echoed audio on ${plugin}`,
      );
      return peer;
    } catch (error) {
      peer.stopMedia();
      await pc.close();
      throw error;
    }
  }

  stopMedia(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
  }

  async close(): Promise<void> {
    this.stopMedia();
    await this.#pc.close();
  }

  #send(audio: RTCRtpTransceiver, video: RTCRtpTransceiver): void {
    let audioSeq = 1000;
    let audioTs = 48_000;
    const audioPayload = Buffer.alloc(60, 0xf8);
    this.#timers.push(
      setInterval(() => {
        const header = new RtpHeader({ payloadType: 111, sequenceNumber: audioSeq, timestamp: audioTs, ssrc: 0x1234 });
        audioSeq = (audioSeq + 1) & 0xffff;
        audioTs = (audioTs + 960) >>> 0;
        void audio.sender.sendRtp(new RtpPacket(header, audioPayload)).catch(() => undefined);
      }, AUDIO_MS),
    );
    let videoSeq = 5000;
    let videoTs = 90_000;
    let frame = 0;
    this.#timers.push(
      setInterval(() => {
        const key = frame % 25 === 0;
        const payload = Buffer.alloc(200, 0x55);
        payload[0] = 0x10;
        payload[1] = key ? 0x00 : 0x01;
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: videoSeq, timestamp: videoTs, ssrc: 0x5678, marker: true });
        videoSeq = (videoSeq + 1) & 0xffff;
        videoTs = (videoTs + 3600) >>> 0;
        frame++;
        void video.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
      }, VIDEO_MS),
    );
  }
}

async function gathered(pc: RTCPeerConnection): Promise<void> {
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
