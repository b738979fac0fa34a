// G.711 in the audio mixer: the companding tables against ITU-T G.711's code points, the 8 kHz ↔
// room-rate resampler, and a mixer where a G.711 participant and an Opus participant hear each
// other's tones (and not their own).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MixerSampleRate } from '@cardea/plugin-sdk';
import { AudioMixers } from '../../core/src/media/audio/AudioMixers.ts';
import { FrameResampler } from '../../core/src/media/audio/FrameResampler.ts';
import { g711Decode, g711Encode, type G711Law } from '../../core/src/media/audio/G711.ts';
import { G711FrameDecoder, G711FrameEncoder } from '../../core/src/media/audio/G711Codec.ts';
import { concat, decodeAll, FakeTransport, toneFrame, tonePower, ToneSender } from '../support/audioFixtures.ts';

const decodeOne = (law: G711Law, code: number): number => {
  const out = new Int16Array(1);
  g711Decode(law, Uint8Array.of(code), out, 1);
  return out[0] as number;
};
const encodeOne = (law: G711Law, sample: number): number => {
  const out = new Uint8Array(1);
  g711Encode(law, Int16Array.of(sample), out, 1);
  return out[0] as number;
};

/** Signal-to-noise ratio of `b` against the reference `a`, dB. */
function snrDb(a: Int16Array, b: Int16Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < a.length; i++) {
    signal += (a[i] as number) ** 2;
    noise += ((a[i] as number) - (b[i] as number)) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('G.711 companding (ITU-T G.711)', () => {
  it('decodes the code points of the recommendation', () => {
    // µ-law: 0xFF and 0x7F are ±0, 0x80 / 0x00 the extremes (±8031 × 4 on the 16-bit scale, less the bias step).
    assert.equal(decodeOne('pcmu', 0xff), 0);
    assert.equal(decodeOne('pcmu', 0x7f), 0);
    assert.equal(decodeOne('pcmu', 0x80), 32124);
    assert.equal(decodeOne('pcmu', 0x00), -32124);
    // A-law: 0xD5 / 0x55 are the smallest positive / negative steps, 0xAA / 0x2A the extremes.
    assert.equal(decodeOne('pcma', 0xd5), 8);
    assert.equal(decodeOne('pcma', 0x55), -8);
    assert.equal(decodeOne('pcma', 0xaa), 32256);
    assert.equal(decodeOne('pcma', 0x2a), -32256);
    assert.equal(encodeOne('pcmu', 0), 0xff);
    assert.equal(encodeOne('pcma', 0), 0xd5);
    assert.equal(encodeOne('pcmu', 32767), 0x80);
    assert.equal(encodeOne('pcma', -32768), 0x2a);
  });

  it('every code survives decode → encode, and a tone keeps > 35 dB SNR', () => {
    for (const law of ['pcmu', 'pcma'] as const) {
      for (let code = 0; code < 256; code++) {
        const linear = decodeOne(law, code);
        assert.equal(decodeOne(law, encodeOne(law, linear)), linear, `${law} code ${code.toString(16)}`);
      }
      const tone = toneFrame(1000, 8000, 3, 8000);
      const codes = new Uint8Array(tone.length);
      const back = new Int16Array(tone.length);
      g711Encode(law, tone, codes, tone.length);
      g711Decode(law, codes, back, tone.length);
      assert.ok(snrDb(tone, back) > 35, `${law}: SNR ${snrDb(tone, back).toFixed(1)} dB`);
    }
  });
});

describe('FrameResampler (8 kHz ↔ room rate)', () => {
  for (const rate of [12000, 16000, 24000, 48000] as const) {
    it(`keeps a 1 kHz tone from 8 kHz to ${rate} Hz and back`, () => {
      const up = new FrameResampler(8000, rate);
      const down = new FrameResampler(rate, 8000);
      const upFrames: Int16Array[] = [];
      const downFrames: Int16Array[] = [];
      for (let n = 0; n < 20; n++) {
        const hi = new Int16Array(rate / 50);
        up.process(toneFrame(1000, 8000, n), hi);
        upFrames.push(hi);
        const lo = new Int16Array(160);
        down.process(hi, lo);
        downFrames.push(lo);
      }
      const hi = concat(upFrames.slice(2));
      const lo = concat(downFrames.slice(2));
      assert.ok(tonePower(hi, 1000, rate) > 0.45, `up: ${tonePower(hi, 1000, rate).toFixed(3)}`);
      assert.ok(tonePower(lo, 1000, 8000) > 0.45, `round trip: ${tonePower(lo, 1000, 8000).toFixed(3)}`);
    });
  }

  it('filters what 8 kHz cannot carry instead of aliasing it', () => {
    const down = new FrameResampler(16000, 8000);
    const frames: Int16Array[] = [];
    for (let n = 0; n < 20; n++) {
      const lo = new Int16Array(160);
      down.process(toneFrame(6000, 16000, n), lo); // would alias to 2 kHz
      frames.push(lo);
    }
    const lo = concat(frames.slice(2));
    let energy = 0;
    for (const x of lo) energy += x * x;
    const rms = Math.sqrt(energy / lo.length);
    assert.ok(rms < 6000 * 0.05, `6 kHz is attenuated by > 26 dB (rms ${rms.toFixed(0)} of ${(6000 / Math.SQRT2).toFixed(0)})`);
  });
});

/** A G.711 participant of a test: 8 kHz tone frames companded, as a SIP phone would send them. */
class G711Tone {
  readonly hz: number;
  readonly law: G711Law;
  #n = 0;
  seq = 5000;

  constructor(hz: number, law: G711Law) {
    this.hz = hz;
    this.law = law;
  }

  next(): { seq: number; payload: Uint8Array } {
    const out = new Uint8Array(160);
    g711Encode(this.law, toneFrame(this.hz, 8000, this.#n++), out, 160);
    return { seq: this.seq++ & 0xffff, payload: out };
  }
}

describe('audio mixer: G.711 participants', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  for (const [law, rate] of [
    ['pcmu', 16000],
    ['pcma', 48000],
    ['pcmu', 8000],
  ] as const) {
    it(`${law} in a ${rate / 1000} kHz room: the G.711 and the Opus participant hear each other, not themselves`, async () => {
      const transport = new FakeTransport();
      const mixers = new AudioMixers({ transport, clock: { manual: true } });
      const opus = await ToneSender.create(440);
      closers.push(async () => {
        opus.free();
        await mixers.close();
      });
      const g711 = new G711Tone(1100, law);
      const id = await mixers.create({ sampleRate: rate as MixerSampleRate, prebuffer: 1, mode: 'full' });
      await mixers.add(1, id, {});
      await mixers.add(2, id, { codec: law });
      // A third, silent Opus listener receives the shared mix: the G.711 listener must not get that packet.
      await mixers.add(3, id, { muted: true });
      for (const h of [1, 2, 3]) mixers.attach(h, {} as never);
      const mixer = mixers.get(id);
      for (let frame = 0; frame < 60; frame++) {
        const a = opus.next();
        transport.endpoints.get(1)?.sink(a.seq, a.payload, 30);
        const b = g711.next();
        transport.endpoints.get(2)?.sink(b.seq, b.payload, 30);
        mixer.tick(frame);
      }

      const opusHeard = concat((await decodeAll(transport.endpoints.get(1)?.sent ?? [], rate)).slice(10));
      assert.ok(
        tonePower(opusHeard, 1100, rate) > 0.2,
        `the Opus participant hears the ${law} tone (${tonePower(opusHeard, 1100, rate).toFixed(3)})`,
      );
      assert.ok(tonePower(opusHeard, 440, rate) < 0.02, `and not itself (${tonePower(opusHeard, 440, rate).toFixed(3)})`);

      const sent = transport.endpoints.get(2)?.sent ?? [];
      assert.equal(sent.length, 60, 'the G.711 participant gets a frame every tick');
      assert.ok(
        sent.every((f) => f.payload.length === 160),
        'each one is 20 ms of G.711 (160 bytes)',
      );
      const pcm = new Int16Array(160 * (sent.length - 10));
      sent.slice(10).forEach((f, i) => g711Decode(law, f.payload, pcm.subarray(i * 160), 160));
      assert.ok(tonePower(pcm, 440, 8000) > 0.2, `the ${law} participant hears the Opus tone (${tonePower(pcm, 440, 8000).toFixed(3)})`);
      assert.ok(tonePower(pcm, 1100, 8000) < 0.02, `and not itself (${tonePower(pcm, 1100, 8000).toFixed(3)})`);

      const shared = concat((await decodeAll(transport.endpoints.get(3)?.sent ?? [], rate)).slice(10));
      assert.ok(tonePower(shared, 440, rate) > 0.1 && tonePower(shared, 1100, rate) > 0.1, 'the muted Opus listener hears both');
      assert.equal(mixer.counters.decodeErrors, 0);

      // Updates leave the codec alone (the stream was negotiated for it).
      mixers.update(2, id, { codec: 'opus', volume: 50 } as never);
      const before = sent.length;
      const b = g711.next();
      transport.endpoints.get(2)?.sink(b.seq, b.payload, 30);
      mixer.tick(60);
      assert.equal(sent[before]?.payload.length, 160, 'still G.711 after an update');
    });
  }

  it('G.711 codecs conceal a lost or empty packet by fading the last frame', () => {
    const decoder = new G711FrameDecoder('pcmu', 16000);
    const encoder = new G711FrameEncoder('pcmu', 16000);
    const out = new Int16Array(320);
    const frame = encoder.encode(toneFrame(700, 16000, 0, 8000));
    assert.equal(frame.length, 160);
    assert.equal(decoder.decodeInto(out, frame, undefined), 'packet');
    assert.equal(decoder.decodeInto(out, undefined, undefined), 'plc');
    assert.equal(decoder.decodeInto(out, new Uint8Array(0), undefined), 'error');
    assert.equal(decoder.decodeInto(out, new Uint8Array(400), undefined), 'error');
  });
});
