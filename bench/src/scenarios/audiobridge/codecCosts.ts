// Per-frame costs of the mixer's building blocks on this machine, measured at the start of the
// audiobridge bench (the research numbers in shared/research/opus-wasm.md came from Node 20 and
// another box): libopus-wasm decode and encode of one 20 ms mono frame, and the AssemblyScript
// kernel's mix against the same mix in plain JS, per participant frame.
import { MixKernel } from '../../../../core/src/media/audio/MixKernel.ts';
import { OpusFrameDecoder, OpusFrameEncoder } from '../../../../core/src/media/audio/OpusCodec.ts';
import type { SpeechFixtures } from './speechFixtures.ts';

/** Microseconds per 20 ms frame (codec) or per participant frame (mix). */
export interface CodecCosts {
  decode48kTo16kUs: number;
  encode16kUs: Record<string, number>;
  mixSimdNsPerParticipant: number;
  mixJsNsPerParticipant: number;
}

/** Minimum over `rounds` of the mean time per call of `work` run `n` times, in µs. */
function time(rounds: number, n: number, work: (i: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) work(i);
    best = Math.min(best, ((performance.now() - t0) * 1000) / n);
  }
  return Math.round(best * 10) / 10;
}

export async function measureCodecCosts(fixtures: SpeechFixtures): Promise<CodecCosts> {
  const packets = fixtures.voices[0] ?? [];
  const decoder = await OpusFrameDecoder.create(16000);
  const pcm = new Int16Array(320);
  const frames: Int16Array[] = [];
  for (const p of packets) {
    decoder.decodeInto(pcm, p.payload, undefined);
    frames.push(Int16Array.from(pcm));
  }
  const decode48kTo16kUs = time(5, packets.length, (i) => decoder.decodeInto(pcm, packets[i]?.payload, undefined));
  decoder.free();
  const encode16kUs: Record<string, number> = {};
  for (const complexity of [4, 5, 9]) {
    const encoder = await OpusFrameEncoder.create({ sampleRate: 16000, complexity, bitrate: 0, expectedLoss: 0 });
    encode16kUs[`c${complexity}`] = time(3, frames.length, (i) => encoder.encode(frames[i] as Int16Array));
    encoder.free();
  }
  // Mix of 100 participants: the total, then each one's N−1.
  const n = 100;
  const kernel = new MixKernel(320, n);
  const slots = Array.from({ length: n }, (_, i) => {
    const s = kernel.allocSlot();
    kernel.frame(s).set(frames[i % frames.length] as Int16Array);
    return s;
  });
  const simd = time(20, 20, () => {
    kernel.clearList();
    for (const s of slots) kernel.addToList(s);
    kernel.sum();
    for (const s of slots) kernel.minus(s);
  });
  const js = jsMix(slots.map((s) => Int16Array.from(kernel.frame(s))));
  return {
    decode48kTo16kUs,
    encode16kUs,
    mixSimdNsPerParticipant: Math.round((simd * 1000) / n),
    mixJsNsPerParticipant: Math.round((js * 1000) / n),
  };
}

/** The same total and N−1 mixes in plain JS, in µs per mix of all frames. */
function jsMix(frames: Int16Array[]): number {
  const total = new Int32Array(320);
  const out = new Int16Array(320);
  return time(20, 20, () => {
    total.fill(0);
    for (const f of frames) for (let i = 0; i < 320; i++) total[i] = (total[i] as number) + (f[i] as number);
    for (const f of frames) {
      for (let i = 0; i < 320; i++) {
        const v = (total[i] as number) - (f[i] as number);
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
  });
}
