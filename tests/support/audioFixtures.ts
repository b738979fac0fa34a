// Synthetic participants for mixer tests: tones encoded with libopus, a fake transport that records
// what the mixer sends, and a Goertzel detector to tell which tones a decoded mix contains.
import type { WebRtcPeer } from '../../core/src/webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioPacketSink, AudioTransport } from '../../core/src/media/audio/AudioEndpointTypes.ts';
import { OpusFrameDecoder, OpusFrameEncoder } from '../../core/src/media/audio/OpusCodec.ts';
import type { MixerSampleRate } from '@cardea/plugin-sdk';

/** One 20 ms frame of a sine at `hz`, amplitude `amp`, frame number `n` (phase-continuous). */
export function toneFrame(hz: number, rate: number, n: number, amp = 6000): Int16Array {
  const samples = rate / 50;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * (n * samples + i)) / rate));
  return out;
}

/** Relative power of `hz` in `pcm` (Goertzel), normalised by the frame's energy: ~0.5 for a pure tone. */
export function tonePower(pcm: Int16Array, hz: number, rate: number): number {
  const k = (2 * Math.PI * hz) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy);
}

/**
 * Tone power per 80 ms block, median over the blocks that carry sound: with every client and the
 * gateway in one process on a busy machine the mixer conceals some frames, and a whole-signal
 * Goertzel counts each resulting phase jump against the tone. Also returns the share of blocks
 * with sound.
 */
export function blockTone(pcm: Int16Array, hz: number, rate: number): { power: number; sounding: number } {
  const block = (rate / 50) * 4;
  const powers: number[] = [];
  let blocks = 0;
  for (let at = 0; at + block <= pcm.length; at += block, blocks++) {
    const part = pcm.subarray(at, at + block);
    let energy = 0;
    for (const x of part) energy += x * x;
    if (Math.sqrt(energy / block) > 100) powers.push(tonePower(part, hz, rate));
  }
  powers.sort((a, b) => a - b);
  return { power: powers[Math.floor(powers.length / 2)] ?? 0, sounding: blocks > 0 ? powers.length / blocks : 0 };
}

/** A sent packet as the fake transport saw it. */
export interface SentFrame {
  payload: Uint8Array;
  timestamp: number;
}

/** An endpoint whose sends are recorded and whose packets the test injects. */
export class FakeEndpoint implements AudioEndpoint {
  readonly handleId: number;
  readonly sent: SentFrame[] = [];
  readonly sink: AudioPacketSink;
  canSend = true;
  closed = false;

  constructor(handleId: number, sink: AudioPacketSink) {
    this.handleId = handleId;
    this.sink = sink;
  }

  send(payload: Uint8Array, timestamp: number): void {
    this.sent.push({ payload: Uint8Array.from(payload), timestamp });
  }

  close(): void {
    this.closed = true;
  }
}

/** A transport of fake endpoints, by handle id. */
export class FakeTransport implements AudioTransport {
  readonly endpoints = new Map<number, FakeEndpoint>();
  sharedSends = 0;

  open(handleId: number, _peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint {
    const endpoint = new FakeEndpoint(handleId, sink);
    this.endpoints.set(handleId, endpoint);
    return endpoint;
  }

  sendMany(endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void {
    this.sharedSends++;
    for (let i = 0; i < count; i++) (endpoints[i] as AudioEndpoint).send(payload, timestamp);
  }
}

/** A participant that sends a tone as Opus packets (what a browser would send, encoded at 48 kHz). */
export class ToneSender {
  readonly hz: number;
  readonly #encoder: OpusFrameEncoder;
  #n = 0;
  seq = 1000;

  private constructor(hz: number, encoder: OpusFrameEncoder) {
    this.hz = hz;
    this.#encoder = encoder;
  }

  static async create(hz: number): Promise<ToneSender> {
    return new ToneSender(hz, await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 0 }));
  }

  /** The next 20 ms packet and its sequence number. */
  next(): { seq: number; payload: Uint8Array } {
    const payload = this.#encoder.encode(toneFrame(this.hz, 48000, this.#n++));
    return { seq: this.seq++ & 0xffff, payload };
  }

  free(): void {
    this.#encoder.free();
  }
}

/** Decodes a listener's received frames (in order) at `rate`. */
export async function decodeAll(frames: readonly SentFrame[], rate: MixerSampleRate): Promise<Int16Array[]> {
  const decoder = await OpusFrameDecoder.create(rate);
  const out = frames.map((f) => {
    const pcm = new Int16Array(rate / 50);
    decoder.decodeInto(pcm, f.payload, undefined);
    return pcm;
  });
  decoder.free();
  return out;
}

/** Concatenates frames. */
export function concat(frames: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
