// Real Opus for the load generator's audio, for the scenarios whose gateway decodes it (an
// AudioBridge mixes what it decodes: random bytes shaped like Opus would be decoded as noise or
// rejected). Encoded once per run with the core's libopus WASM: two distinct speech-like voices
// (speechFixtures.ts: harmonics, syllables, pauses; 48 kHz mono, 20 ms, 32 kbit/s), back to back,
// a 6 s loop that every participant sends from its own random starting frame; and a silent
// participant's stream as a DTX sender emits it (silentDtxOpusFrames).
import { Application, createEncoder, Signal } from 'libopus-wasm';
import { MAX_OPUS_FRAME_BYTES } from '../../../core/src/media/audio/OpusCodec.ts';
import { makeSpeechFixtures, type SpeechPacket } from '../scenarios/audiobridge/speechFixtures.ts';

/** Frames per voice (3 s at 50 frames per second). */
const framesPerVoice = 150;
/** RFC 6464 §3: the level of digital silence, −127 dBov. */
export const silenceLevel = 127;

/** The Opus payloads of the loop (300 packets of 20 ms). */
export async function speechOpusPayloads(): Promise<Uint8Array[]> {
  return (await speechOpusPackets()).map((p) => p.payload);
}

/** The same loop with each frame's RFC 6464 level (−dBov of its PCM, what a browser would put in the header extension). */
export async function speechOpusPackets(): Promise<SpeechPacket[]> {
  const fixtures = await makeSpeechFixtures(2, framesPerVoice);
  return fixtures.voices.flat();
}

/** Frames encoded to find the DTX cadence (4 s); libopus settles into it after ~200 ms of silence. */
const dtxProbeFrames = 200;
/** Frames skipped before the loop starts: the encoder's first frames of silence are still sent. */
const dtxOnsetFrames = 15;

/**
 * A silent participant's 20 ms frames as an Opus DTX sender emits them (RFC 7587 §3.1.3): libopus
 * with DTX enabled (OPUS_SET_DTX through libopus-wasm's `dtx` option) encodes digital silence (a
 * muted or noise-suppressed microphone); a frame whose packet is 2 bytes or less "does not need to
 * be transmitted" (libopus `opus_encode` documentation) and is `null` here, the others are the
 * comfort-noise updates libopus emits about every 400 ms. The loop runs from just after one
 * transmitted update to the last one, so repeating it keeps the encoder's cadence. Levels are
 * silence (127).
 */
export async function silentDtxOpusFrames(): Promise<(SpeechPacket | null)[]> {
  const encoder = await createEncoder({
    sampleRate: 48000,
    channels: 1,
    application: Application.Voip,
    signal: Signal.Voice,
    complexity: 5,
    bitrate: 32000,
    dtx: true,
  });
  const pcm = new Int16Array(960);
  const frames: (SpeechPacket | null)[] = [];
  try {
    for (let f = 0; f < dtxProbeFrames; f++) {
      const payload = encoder.encode(pcm, { maxPacketBytes: MAX_OPUS_FRAME_BYTES });
      frames.push(payload.length > 2 ? { payload, level: silenceLevel } : null);
    }
  } finally {
    encoder.free();
  }
  const sent = frames.flatMap((f, i) => (f && i >= dtxOnsetFrames ? [i] : []));
  const first = sent[0];
  const last = sent.at(-1);
  if (first === undefined || last === undefined || last <= first) throw new Error('libopus DTX: the encoder never went silent');
  return frames.slice(first + 1, last + 1);
}
