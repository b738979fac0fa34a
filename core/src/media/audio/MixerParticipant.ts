// One participant of a mixer: its jitter buffer, decoder, encoder (its own N−1 stream), frame slot
// in the kernel, endpoint, options, and the level and talking state the mixer decides on.
import type { MixerParticipantOptions } from '@cardea/plugin-sdk';
import { TalkingDetector } from '../TalkingDetector.ts';
import type { AudioEndpoint } from './AudioEndpointTypes.ts';
import { JitterBuffer } from './JitterBuffer.ts';
import type { FrameDecoder, FrameEncoder } from './AudioCodecTypes.ts';

/** A participant's options with every default applied. */
export type ParticipantSettings = Required<MixerParticipantOptions>;

/** Level reported for silence, −dBov (RFC 6464 §3: 127 is the quietest). */
export const SILENT_LEVEL = 127;

export class MixerParticipant {
  readonly handleId: number;
  readonly jitter: JitterBuffer;
  readonly decoder: FrameDecoder;
  readonly encoder: FrameEncoder;
  /** Kernel frame slot holding this tick's decoded audio. */
  readonly slot: number;
  settings: ParticipantSettings;
  endpoint: AudioEndpoint | undefined;
  talking: TalkingDetector | undefined;
  /** Whether packets carried RFC 6464 levels (then the level is known without decoding). */
  hasLevelExtension = false;
  /** Smoothed level of the newest packets received, −dBov (ahead of playout by the jitter delay). */
  arrivalLevel = SILENT_LEVEL;
  /** Frame index of the last packet received. */
  lastArrivalFrame = -1_000_000;
  /** Smoothed level of the decoded audio, −dBov (used when packets carry no level). */
  decodedLevel = SILENT_LEVEL;
  /** This tick: the slot holds audio to mix. */
  hasFrame = false;
  /** The decoder ran on the previous tick (its state follows the stream). */
  warm = false;
  /** Keep decoding until this frame index (a speaker's hangover, so it can come back cleanly). */
  warmUntil = -1;
  /** Mixed until this frame index at least (speaker hangover in active-speaker mode). */
  speakerUntil = -1;
  /** Selected for the mix on the previous tick. */
  mixed = false;
  /** Selected for the mix on this tick. */
  selected = false;
  /** In this tick's mix (selected, or fading out on its last frame): gets its own N−1 encode. */
  inMix = false;

  constructor(handleId: number, settings: ParticipantSettings, decoder: FrameDecoder, encoder: FrameEncoder, slot: number) {
    this.handleId = handleId;
    this.settings = settings;
    this.decoder = decoder;
    this.encoder = encoder;
    this.slot = slot;
    this.jitter = new JitterBuffer({ prebuffer: settings.prebuffer });
  }

  /** The level the mixer ranks speakers by: from the packets when they carry it, else decoded. */
  get level(): number {
    return this.hasLevelExtension ? this.arrivalLevel : this.decodedLevel;
  }

  /** Notes a received packet's level (instant attack, slow release). */
  noteArrival(level: number, frame: number): void {
    this.lastArrivalFrame = frame;
    if (level < 0) return;
    this.hasLevelExtension = true;
    this.arrivalLevel = smooth(this.arrivalLevel, level);
  }

  /** Notes the level of this tick's decoded frame. */
  noteDecoded(level: number): void {
    this.decodedLevel = smooth(this.decodedLevel, level);
  }

  /** Called once per tick before decisions: a participant that stopped sending is silent. */
  age(frame: number): void {
    if (frame - this.lastArrivalFrame > 10) {
      this.arrivalLevel = SILENT_LEVEL;
      this.decodedLevel = SILENT_LEVEL;
    }
  }

  free(): void {
    this.decoder.free();
    this.encoder.free();
    this.endpoint?.close();
    this.endpoint = undefined;
  }
}

/** Levels are −dBov: lower is louder. Louder values take over at once, quieter ones fade in. */
function smooth(current: number, level: number): number {
  return level < current ? level : current + (level - current) * 0.15;
}

export { TalkingDetector };
