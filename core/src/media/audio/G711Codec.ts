// G.711 participants of a mixer (Janus AudioBridge `codec: "pcmu" | "pcma"`): 8 kHz RTP audio
// (RFC 3551 §4.5.14, 20 ms = 160 one-byte samples) meets a room running at its own rate through a
// FrameResampler each way. Nothing is allocated per frame: every buffer is made here, once.
import type { FrameDecoder, FrameEncoder } from './AudioCodecTypes.ts';
import { FrameResampler } from './FrameResampler.ts';
import { g711Decode, g711Encode, type G711Law } from './G711.ts';
import type { DecodeKind } from './OpusCodec.ts';

/** G.711's RTP clock and sample rate (RFC 3551 §4.5.14). */
export const G711_RATE = 8000;
/** Samples (= bytes) of a 20 ms G.711 frame. */
export const G711_FRAME = 160;
/** Each concealed frame repeats the previous one at this gain, so a long loss fades to silence. */
const PLC_DECAY = 0.5;
/** Encoded frames kept alive at once: a packet handed to the transport stays intact for this many ticks. */
const OUTPUT_RING = 4;

export class G711FrameDecoder implements FrameDecoder {
  readonly #law: G711Law;
  readonly #pcm8k = new Int16Array(G711_FRAME);
  readonly #resampler: FrameResampler;

  constructor(law: G711Law, roomRate: number) {
    this.#law = law;
    this.#resampler = new FrameResampler(G711_RATE, roomRate);
  }

  decodeInto(out: Int16Array, packet: Uint8Array | undefined, _next: Uint8Array | undefined): DecodeKind {
    const pcm = this.#pcm8k;
    let kind: DecodeKind;
    if (packet !== undefined && packet.length > 0 && packet.length <= G711_FRAME) {
      const n = packet.length;
      g711Decode(this.#law, packet, pcm, n);
      // A shorter packet (10 ms ptime) is padded with silence; the mixer plays one packet per 20 ms tick.
      if (n < G711_FRAME) pcm.fill(0, n);
      kind = 'packet';
    } else {
      // Lost (or an empty / oversized payload): G.711 has no FEC; repeat the last frame, fading.
      for (let i = 0; i < G711_FRAME; i++) pcm[i] = Math.round((pcm[i] as number) * PLC_DECAY);
      kind = packet === undefined ? 'plc' : 'error';
    }
    this.#resampler.process(pcm, out);
    return kind;
  }

  async reset(): Promise<void> {
    this.#pcm8k.fill(0);
    this.#resampler.reset();
  }

  free(): void {
    // Nothing outside the JS heap.
  }
}

export class G711FrameEncoder implements FrameEncoder {
  readonly #law: G711Law;
  readonly #pcm8k = new Int16Array(G711_FRAME);
  readonly #resampler: FrameResampler;
  readonly #ring: Uint8Array[] = [];
  #next = 0;

  constructor(law: G711Law, roomRate: number) {
    this.#law = law;
    this.#resampler = new FrameResampler(roomRate, G711_RATE);
    for (let i = 0; i < OUTPUT_RING; i++) this.#ring.push(new Uint8Array(G711_FRAME));
  }

  /** Encodes one room-rate frame; the bytes stay valid for the next OUTPUT_RING − 1 encodes. */
  encode(pcm: Int16Array): Uint8Array {
    this.#resampler.process(pcm, this.#pcm8k);
    const out = this.#ring[this.#next] as Uint8Array;
    this.#next = (this.#next + 1) % OUTPUT_RING;
    g711Encode(this.#law, this.#pcm8k, out, G711_FRAME);
    return out;
  }

  configure(): void {
    // G.711 has no encoder settings (complexity, bitrate and FEC are Opus's).
  }

  free(): void {
    // Nothing outside the JS heap.
  }
}
