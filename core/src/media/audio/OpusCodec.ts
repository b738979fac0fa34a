// Opus for the audio MCU: libopus 1.6.1 compiled to WebAssembly (npm `libopus-wasm`, MIT), chosen
// in shared/research/opus-wasm.md as the fastest WASM build and the only wrapper whose PLC returns
// one frame and which decodes in-band FEC. All encoders and decoders share the package's one
// WebAssembly instance (one heap holding many codec states: ~44 KB per encoder, ~18 KB per decoder
// at 16 kHz mono); the wrapper re-reads its heap views on every call, so heap growth is safe.
import type * as Libopus from 'libopus-wasm';
import type { OpusDecoderHandle, OpusEncoderHandle, SampleRate } from 'libopus-wasm';

/** Sample rates libopus encodes and decodes at (Janus AudioBridge `sampling_rate`). */
export const OPUS_RATES: readonly SampleRate[] = [8000, 12000, 16000, 24000, 48000];

/** Largest Opus packet for one 20 ms mono frame (RFC 6716 §3.4: 1275 bytes per frame). */
export const MAX_OPUS_FRAME_BYTES = 1275;

let library: Promise<typeof Libopus> | undefined;
let loaded: Promise<string> | undefined;

/**
 * The libopus-wasm package, imported on first use: its glue module (380 KB with the WASM inlined)
 * stays out of gateways that never mix audio (`npm run bench -- memory` measures idle memory).
 */
function libopus(): Promise<typeof Libopus> {
  library ??= import('libopus-wasm');
  return library;
}

/** Loads libopus once per process; resolves to its version string ("libopus 1.6.1"). */
export function loadOpus(): Promise<string> {
  loaded ??= libopus()
    .then((opus) => opus.loadLibopus())
    .then((info) => info.version);
  return loaded;
}

/** Encoder settings of one mix stream. */
export interface OpusEncoderSettings {
  sampleRate: SampleRate;
  /** libopus complexity 0–10 (Janus `quality`; default 4 as Janus's AudioBridge). */
  complexity: number;
  /** Target bitrate in bit/s, or 0 for libopus's automatic choice (default 0). */
  bitrate: number;
  /** Expected loss in percent; above 0 the encoder adds in-band FEC (Janus `expected_loss`). */
  expectedLoss: number;
}

/**
 * One encoder of mono 20 ms frames. VOIP application with the signal forced to VOICE, so libopus
 * always runs SILK/hybrid at a predictable cost (the research found auto mode flipping to CELT).
 */
export class OpusFrameEncoder {
  readonly #encoder: OpusEncoderHandle;
  #complexity: number;
  #bitrate: number;
  #loss: number;

  private constructor(encoder: OpusEncoderHandle, settings: OpusEncoderSettings) {
    this.#encoder = encoder;
    this.#complexity = settings.complexity;
    this.#bitrate = settings.bitrate;
    this.#loss = settings.expectedLoss;
  }

  static async create(settings: OpusEncoderSettings): Promise<OpusFrameEncoder> {
    await loadOpus();
    const { Application, createEncoder, Signal } = await libopus();
    const encoder = await createEncoder({
      sampleRate: settings.sampleRate,
      channels: 1,
      application: Application.Voip,
      signal: Signal.Voice,
      complexity: settings.complexity,
      bitrate: settings.bitrate > 0 ? settings.bitrate : 'auto',
      fec: settings.expectedLoss > 0,
      packetLossPercent: settings.expectedLoss,
    });
    return new OpusFrameEncoder(encoder, settings);
  }

  /** Encodes one frame; the result is a fresh copy the caller may keep. */
  encode(pcm: Int16Array): Uint8Array {
    return this.#encoder.encode(pcm, { maxPacketBytes: MAX_OPUS_FRAME_BYTES });
  }

  /** Applies changed settings (only the ones that differ reach libopus). */
  configure(settings: Partial<Omit<OpusEncoderSettings, 'sampleRate'>>): void {
    if (settings.complexity !== undefined && settings.complexity !== this.#complexity) {
      this.#encoder.setComplexity(settings.complexity);
      this.#complexity = settings.complexity;
    }
    if (settings.bitrate !== undefined && settings.bitrate !== this.#bitrate) {
      this.#encoder.setBitrate(settings.bitrate > 0 ? settings.bitrate : 'auto');
      this.#bitrate = settings.bitrate;
    }
    if (settings.expectedLoss !== undefined && settings.expectedLoss !== this.#loss) {
      this.#encoder.setFec(settings.expectedLoss > 0);
      this.#encoder.setPacketLossPercent(settings.expectedLoss);
      this.#loss = settings.expectedLoss;
    }
  }

  /** Encoder delay in samples at the encoder's rate (for the Ogg pre-skip). */
  get lookahead(): number {
    return this.#encoder.getLookahead();
  }

  free(): void {
    this.#encoder.free();
  }
}

/** What one decode produced. */
export type DecodeKind = 'packet' | 'fec' | 'plc' | 'error';

/**
 * One decoder of mono frames at the room's rate (libopus resamples internally, so a 48 kHz browser
 * stream decodes straight to 16 kHz: no separate resampler). A packet libopus rejects is contained:
 * the frame is concealed (PLC) instead, and the caller counts it.
 */
export class OpusFrameDecoder {
  #decoder: OpusDecoderHandle;
  readonly #rate: SampleRate;
  readonly #frameSamples: number;

  private constructor(decoder: OpusDecoderHandle, rate: SampleRate) {
    this.#decoder = decoder;
    this.#rate = rate;
    this.#frameSamples = rate / 50;
  }

  static async create(sampleRate: SampleRate): Promise<OpusFrameDecoder> {
    await loadOpus();
    return new OpusFrameDecoder(await (await libopus()).createDecoder({ sampleRate, channels: 1 }), sampleRate);
  }

  /**
   * Decodes into `out` (one 20 ms frame): `packet` when given, else FEC from `next` (the packet
   * after the lost one, RFC 6716 §2.1.7) when given, else PLC. A packet longer than 20 ms is cut
   * to the frame; a shorter one is padded with silence.
   */
  decodeInto(out: Int16Array, packet: Uint8Array | undefined, next: Uint8Array | undefined): DecodeKind {
    let kind: DecodeKind;
    let pcm: Int16Array;
    try {
      if (packet !== undefined) {
        pcm = this.#decoder.decode(packet);
        kind = 'packet';
      } else if (next !== undefined) {
        pcm = this.#decoder.decode(next, { decodeFec: true, frameSize: this.#frameSamples });
        kind = 'fec';
      } else {
        pcm = this.#decoder.decodePacketLoss(this.#frameSamples);
        kind = 'plc';
      }
    } catch (_error) {
      // Malformed input (OpusError "invalid packet", or an empty packet): conceal this frame instead.
      // The decoder's state is intact, libopus validates before it decodes.
      try {
        pcm = this.#decoder.decodePacketLoss(this.#frameSamples);
      } catch (_again) {
        // PLC itself failed: the state is suspect; start from a fresh decoder state next time.
        out.fill(0);
        return 'error';
      }
      kind = 'error';
    }
    const n = Math.min(pcm.length, out.length);
    out.set(n === pcm.length ? pcm : pcm.subarray(0, n));
    if (n < out.length) out.fill(0, n);
    return kind;
  }

  /** Decodes a whole packet of any duration (up to 120 ms); throws on a packet libopus rejects. */
  decodePacket(packet: Uint8Array): Int16Array {
    return this.#decoder.decode(packet);
  }

  /** Forgets the decoder's history (Janus `resetdecoder`). */
  async reset(): Promise<void> {
    const fresh = await (await libopus()).createDecoder({ sampleRate: this.#rate, channels: 1 });
    this.#decoder.free();
    this.#decoder = fresh;
  }

  free(): void {
    this.#decoder.free();
  }
}
