// Real Opus for the load generator's audio, for the scenarios whose gateway decodes it (an
// AudioBridge mixes what it decodes: random bytes shaped like Opus would be decoded as noise or
// rejected). Encoded once per run with the core's libopus WASM: two distinct speech-like voices
// (speechFixtures.ts: harmonics, syllables, pauses; 48 kHz mono, 20 ms, 32 kbit/s), back to back,
// a 6 s loop that every participant sends from its own random starting frame.
import { makeSpeechFixtures } from '../scenarios/audiobridge/speechFixtures.ts';

/** Frames per voice (3 s at 50 frames per second). */
const framesPerVoice = 150;

/** The Opus payloads of the loop (300 packets of 20 ms). */
export async function speechOpusPayloads(): Promise<Uint8Array[]> {
  const fixtures = await makeSpeechFixtures(2, framesPerVoice);
  return fixtures.voices.flatMap((voice) => voice.map((p) => p.payload));
}
