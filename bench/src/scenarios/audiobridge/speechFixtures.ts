// Pre-encoded Opus for the audiobridge bench: what browsers send (48 kHz Opus, 20 ms, continuous),
// made once per run. Speech-like streams (a harmonic voice with a moving pitch, a syllable envelope
// and pauses, ~−22 dBFS) and a background-noise stream (~−65 dBFS) for the participants who do not
// talk; each frame carries the RFC 6464 level a browser would put in its header extension.
import { OpusFrameEncoder } from '../../../../core/src/media/audio/OpusCodec.ts';

/** One packet to send and its RFC 6464 level (0–127 −dBov). */
export interface SpeechPacket {
  payload: Uint8Array;
  level: number;
}

const RATE = 48000;
const FRAME = 960;

function level(pcm: Int16Array): number {
  let energy = 0;
  for (const s of pcm) energy += s * s;
  const rms = Math.sqrt(energy / pcm.length) / 32768;
  return rms <= 0 ? 127 : Math.min(127, Math.max(0, Math.round(-20 * Math.log10(rms))));
}

/** A deterministic pseudo-random generator (the bench must make the same signal every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000 - 0.5;
  };
}

/** Frames of a speech-like voice: harmonics of f0 under two formant bumps, syllables at ~4 Hz, pauses. */
function voice(seed: number, frames: number): Int16Array[] {
  const rand = lcg(seed);
  const base = 100 + (seed % 5) * 30;
  const out: Int16Array[] = [];
  let phase = 0;
  for (let f = 0; f < frames; f++) {
    const pcm = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const t = (f * FRAME + i) / RATE;
      const f0 = base * (1 + 0.15 * Math.sin(2 * Math.PI * 0.7 * t + seed));
      phase += (2 * Math.PI * f0) / RATE;
      const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t + seed)) ** 0.6;
      const pause = Math.sin(2 * Math.PI * 0.23 * t + seed) > -0.7 ? 1 : 0;
      let s = 0;
      for (let h = 1; h <= 12; h++) {
        const hz = h * f0;
        const formant = Math.exp(-(((hz - 600) / 250) ** 2)) + 0.6 * Math.exp(-(((hz - 1700) / 400) ** 2)) + 0.05;
        s += formant * Math.sin(h * phase);
      }
      pcm[i] = Math.round(2600 * syllable * pause * s + 40 * rand());
    }
    out.push(pcm);
  }
  return out;
}

/** Frames of low background noise. */
function noise(seed: number, frames: number): Int16Array[] {
  const rand = lcg(seed);
  return Array.from({ length: frames }, () => Int16Array.from({ length: FRAME }, () => Math.round(40 * rand())));
}

async function encode(frames: Int16Array[]): Promise<SpeechPacket[]> {
  const encoder = await OpusFrameEncoder.create({ sampleRate: RATE, complexity: 5, bitrate: 32000, expectedLoss: 0 });
  const packets = frames.map((pcm) => ({ payload: encoder.encode(pcm), level: level(pcm) }));
  encoder.free();
  return packets;
}

/** The fixture set: `voices` distinct speech streams and one noise stream, `frames` frames each. */
export interface SpeechFixtures {
  voices: SpeechPacket[][];
  noise: SpeechPacket[];
}

export async function makeSpeechFixtures(voices: number, frames: number): Promise<SpeechFixtures> {
  const streams: SpeechPacket[][] = [];
  for (let v = 0; v < voices; v++) streams.push(await encode(voice(v + 1, frames)));
  return { voices: streams, noise: await encode(noise(99, frames)) };
}
