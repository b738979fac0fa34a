// The codec contract of a mixer participant: what the mixer needs from a decoder and an encoder of
// 20 ms mono frames at the room's rate. OpusFrameDecoder/OpusFrameEncoder (OpusCodec.ts) and the
// G.711 pair (G711Codec.ts) implement it.
import type { DecodeKind, OpusEncoderSettings } from './OpusCodec.ts';

/** The codecs a participant may send and receive (SDP names, lower case). */
export type ParticipantCodec = 'opus' | 'pcmu' | 'pcma';

/** Decodes a participant's packets into frames at the room's rate. */
export interface FrameDecoder {
  /**
   * Decodes into `out` (one 20 ms frame): `packet` when given, else FEC from `next` when the codec
   * has it, else concealment. Never throws on bad input: it conceals and returns `error`.
   */
  decodeInto(out: Int16Array, packet: Uint8Array | undefined, next: Uint8Array | undefined): DecodeKind;
  /** Forgets the decoder's history (Janus `resetdecoder`). */
  reset(): Promise<void>;
  free(): void;
}

/** Encodes a listener's mix frames (at the room's rate). */
export interface FrameEncoder {
  /** Encodes one frame; the result stays valid at least until the next few encodes (see each codec). */
  encode(pcm: Int16Array): Uint8Array;
  /** Applies changed encoder settings; codecs without such settings ignore them. */
  configure(settings: Partial<Omit<OpusEncoderSettings, 'sampleRate'>>): void;
  free(): void;
}
