// Pre-encoded media for the load generator, made once per process: nothing is encoded at run time.
//
// The payloads are synthetic but shaped like the real thing, because both gateways only forward
// them: an Opus packet is a TOC byte (RFC 6716 §3.1: config 15, hybrid fullband 20 ms, mono, one
// frame) followed by 60–100 pseudo-random bytes, about 32 kbit/s at 50 packets per second; a VP8
// frame is a payload descriptor (RFC 7741 §4.2) and a VP8 frame header (RFC 6386 §9.1: a keyframe
// has P = 0, the start code 9d 01 2a and 640×360), split into packets of at most 1100 bytes. A
// keyframe every 3 s and 30 frames per second give ~180 kbit/s per publisher, the paper's rate.
// What a gateway could check (keyframe flags for simulcast and PLI handling, RTP sizes and timing)
// is real; no decoder would show a picture. Every payload is registered by a hash so the receiver
// can verify, on a sample, that what arrived is byte for byte a payload that was sent.
import { createHash } from 'node:crypto';

/** One RTP payload to send, with what goes in its header. */
export interface FixturePacket {
  payload: Buffer;
  /** RTP marker bit: last packet of a video frame. */
  marker: boolean;
  /**
   * RFC 6464 audio level of the payload, 0–127 (−dBov; 127 silence), written in the
   * ssrc-audio-level header extension when a peer negotiated it; 127 for synthetic payloads.
   */
  level: number;
}

/** One media frame: one packet (audio), several (video), or none (a frame an Opus DTX sender does not transmit). */
export interface FixtureFrame {
  packets: FixturePacket[];
  keyframe: boolean;
}

/** Clock rates and steps of the two streams. */
export const audioClockRate = 48_000;
export const videoClockRate = 90_000;
/** 20 ms Opus frames: 50 packets per second. */
export const audioFrameMs = 20;
/** 30 frames per second. */
export const videoFrameMs = 1000 / 30;
/** Frames between keyframes (3 s at 30 fps). */
export const videoGopFrames = 90;
const maxVideoPacketPayload = 1100;
const keyframeBytes = 5000;
/** Bytes of a delta frame, chosen so that the average rate is ~180 kbit/s. */
const deltaFrameBytes = Math.round(((180_000 / 8) * 3 - keyframeBytes) / (videoGopFrames - 1));

/** Deterministic bytes (xorshift32), so every run sends the same media. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The fixtures: one second of Opus and one GOP of VP8, built once and reused by every participant. */
export class MediaFixtures {
  /** 50 audio frames (one second), sent in a loop. */
  readonly audio: FixtureFrame[];
  /** `videoGopFrames` video frames, the first a keyframe, sent in a loop. */
  readonly video: FixtureFrame[];
  /**
   * A silent participant's frames with Opus DTX (setSilentDtx): most have no packet, one in ~20 a
   * comfort-noise update. Empty until set; streams in `silent-dtx` mode then send the speech loop.
   */
  readonly audioDtx: FixtureFrame[] = [];
  readonly #hashes = new Set<string>();

  constructor() {
    this.audio = Array.from({ length: 50 }, (_, i) => {
      const payload = pseudoRandomBytes(60 + ((i * 37) % 41), 0xa0d10 + i);
      payload[0] = (15 << 3) | 0; // TOC: config 15, mono, code 0
      return { packets: [{ payload, marker: false, level: 127 }], keyframe: false };
    });
    this.video = Array.from({ length: videoGopFrames }, (_, i) => vp8Frame(i === 0, i));
    for (const frame of [...this.audio, ...this.video]) for (const p of frame.packets) this.#hashes.add(hashOf(p.payload));
  }

  /**
   * Replaces the audio loop with real Opus packets (20 ms each, e.g. from opusFixtures.ts): what a
   * mixing gateway decodes must be decodable. They are registered for the integrity check too.
   */
  setAudio(payloads: readonly (Uint8Array | LevelledPayload)[]): void {
    if (payloads.length === 0) throw new Error('setAudio: no packets');
    const frames = payloads.map((p) => audioFrame(p instanceof Uint8Array ? { payload: p, level: 127 } : p));
    this.audio.splice(0, this.audio.length, ...frames);
    this.#register(frames);
  }

  /** Sets the DTX loop of silent participants (e.g. opusFixtures.ts silentDtxOpusFrames: `null` = not transmitted). */
  setSilentDtx(frames: readonly (LevelledPayload | null)[]): void {
    if (!frames.some((f) => f !== null)) throw new Error('setSilentDtx: no transmitted frame');
    const built = frames.map((f) => (f ? audioFrame(f) : { packets: [], keyframe: false }));
    this.audioDtx.splice(0, this.audioDtx.length, ...built);
    this.#register(built);
  }

  #register(frames: readonly FixtureFrame[]): void {
    for (const frame of frames) for (const p of frame.packets) this.#hashes.add(hashOf(p.payload));
  }

  /** True when `payload` is byte for byte one of the fixture payloads (the integrity check). */
  isKnownPayload(payload: Uint8Array): boolean {
    return this.#hashes.has(hashOf(payload));
  }

  /** Average video bitrate of the fixture in bits per second. */
  videoBitrate(): number {
    const bytes = this.video.reduce((sum, f) => sum + f.packets.reduce((s, p) => s + p.payload.length, 0), 0);
    return (bytes * 8) / ((this.video.length * videoFrameMs) / 1000);
  }
}

/** An audio payload and its RFC 6464 level. */
export interface LevelledPayload {
  payload: Uint8Array;
  level: number;
}

function audioFrame(p: LevelledPayload): FixtureFrame {
  return { packets: [{ payload: Buffer.from(p.payload), marker: false, level: p.level }], keyframe: false };
}

function hashOf(payload: Uint8Array): string {
  return createHash('sha1').update(payload).digest('base64');
}

/** A VP8 frame of `keyframeBytes` or `deltaFrameBytes`, split into RTP payloads (RFC 7741 §4). */
function vp8Frame(keyframe: boolean, index: number): FixtureFrame {
  const frame = pseudoRandomBytes(keyframe ? keyframeBytes : deltaFrameBytes, 0x5eed + index);
  // Frame tag (RFC 6386 §9.1): bit 0 P (0 = keyframe), version 0, show_frame 1, first partition size.
  const tag = (keyframe ? 0 : 1) | (1 << 4) | ((Math.min(frame.length - 10, 0x7ffff) & 0x7ffff) << 5);
  frame[0] = tag & 0xff;
  frame[1] = (tag >> 8) & 0xff;
  frame[2] = (tag >> 16) & 0xff;
  if (keyframe) {
    frame.set([0x9d, 0x01, 0x2a], 3);
    frame.writeUInt16LE(640, 6);
    frame.writeUInt16LE(360, 8);
  }
  const packets: FixturePacket[] = [];
  for (let offset = 0; offset < frame.length; offset += maxVideoPacketPayload - 1) {
    const chunk = frame.subarray(offset, offset + maxVideoPacketPayload - 1);
    const payload = Buffer.allocUnsafe(chunk.length + 1);
    payload[0] = offset === 0 ? 0x10 : 0x00; // descriptor: S bit on the first packet, partition 0
    payload.set(chunk, 1);
    packets.push({ payload, marker: offset + maxVideoPacketPayload - 1 >= frame.length, level: 127 });
  }
  return { packets, keyframe };
}
