import type { HandleId } from './MediaTypes.ts';

/** An opaque mixer id handed out by {@link PluginMedia.createMixer}. */
export type MixerId = number;

/** Sample rates a mixer can run at (Janus AudioBridge `sampling_rate`). */
export type MixerSampleRate = 8000 | 12000 | 16000 | 24000 | 48000;

/**
 * An audio mixer (an MCU room). Participants send Opus; the core decodes, mixes and re-encodes,
 * and each participant receives the mix of everyone but itself.
 */
export interface MixerOptions {
  /** Rate the mix runs at, Hz (default 16000). Decoding and encoding happen at this rate. */
  sampleRate?: MixerSampleRate;
  /**
   * Mixing strategy (default `auto`):
   * - `full`: decode every unmuted participant, each listener gets its own N−1 encode (Janus).
   * - `active-speaker`: decode only participants whose RFC 6464 level (or decoded level) says they
   *   speak, mix the loudest `speakers`, encode one N−1 mix per mixed speaker and one shared mix
   *   (one encoder) for everyone else.
   * - `auto`: `full` up to `activeSpeakerAbove` participants, `active-speaker` beyond.
   */
  mode?: 'full' | 'active-speaker' | 'auto';
  /** Speakers mixed at once in active-speaker mode (default 3). */
  speakers?: number;
  /** Participant count above which `auto` switches to active-speaker mixing (default 16). */
  activeSpeakerAbove?: number;
  /** Frames a participant's jitter buffer queues before playout (default 6, Janus `default_prebuffering`). */
  prebuffer?: number;
  /** Default encoder complexity 0–10 (Janus `quality`, default 4). */
  complexity?: number;
  /** Default encoder bitrate in bit/s; 0 lets libopus choose (default 0). */
  bitrate?: number;
  /**
   * Report talking changes (`handleMixerEvent` `talking`), Janus `audiolevel_event` (default off).
   * Levels come from the RFC 6464 extension, or from the decoded audio when it is absent.
   */
  talkingEvents?: { threshold?: number; packets?: number } | null;
}

/** How one participant takes part in a mixer. */
export interface MixerParticipantOptions {
  /** Muted participants are not mixed (default false). */
  muted?: boolean;
  /** Suspended participants are neither mixed nor sent the mix (default false). */
  suspended?: boolean;
  /** Gain in percent, 100 = unchanged (default 100, Janus `volume`). */
  volume?: number;
  /** Jitter-buffer prebuffer in frames (default: the mixer's). */
  prebuffer?: number;
  /** Complexity 0–10 of this listener's encoder (default: the mixer's; Janus `quality`). */
  complexity?: number;
  /** Bitrate of this listener's encoder, bit/s; 0 = libopus's choice (default: the mixer's). */
  bitrate?: number;
  /** Expected loss percent: above 0 this listener's stream carries in-band FEC (default 0). */
  expectedLoss?: number;
  /**
   * The codec this participant sends and receives (default `opus`; Janus AudioBridge `codec`):
   * `pcmu` / `pcma` are G.711 µ-law / A-law at 8 kHz (RFC 3551 payload types 0 / 8), resampled
   * to and from the mixer's rate. Fixed when the participant is added: updates ignore it (remove
   * and add the participant to change it). Negotiate the same codec on the handle.
   */
  codec?: 'opus' | 'pcmu' | 'pcma';
}

/** Counters of a mixer. */
export interface MixerStats {
  participants: number;
  sampleRate: number;
  mode: 'full' | 'active-speaker';
  /** Mix frames produced. */
  frames: number;
  /** Frames that started more than half a period late. */
  lateFrames: number;
  /** Frames skipped because the mixer fell too far behind. */
  skippedFrames: number;
  /** Worst start delay of a frame, ms. */
  maxLatenessMs: number;
  /** Share of wall time spent mixing since the mixer started (0–1). */
  load: number;
  /** Decodes, encodes, PLC and FEC frames, and packets libopus rejected, since start. */
  decodes: number;
  encodes: number;
  concealed: number;
  fecRecovered: number;
  decodeErrors: number;
  /** Handles mixed in the last frame. */
  speakers: HandleId[];
  /** Frames a recording holds, when recording. */
  recording?: { path: string; frames: number };
  /**
   * When the mixer runs in the mixer worker (config `media.audioMixerThread` 'worker'): the delay
   * from a frame being ready in the worker to its hand-off to the network on the main thread, where
   * main-thread stalls show (the clock counters above are the worker's own).
   */
  handoff?: {
    frames: number;
    maxMs: number;
    /** 99th percentile as its histogram bucket's upper bound (ms; the max when above 100 ms). */
    p99Ms: number;
    /** Frames per bucket: ≤1, ≤2, ≤5, ≤10, ≤20, ≤50, ≤100, >100 ms. */
    histogram: number[];
    /** Packets and frames dropped because a worker ring was full (all mixers of the gateway). */
    inputDropped: number;
    outputDropped: number;
  };
}

/** Something a mixer reports to the plugin that created it (`handleMixerEvent`). */
export type MixerEvent =
  | {
      type: 'talking';
      mixer: MixerId;
      handle: HandleId;
      talking: boolean;
      /** Average level of the window in −dBov (0 loudest, 127 silence). */
      level: number;
    }
  | {
      /** A file started by `playFile` ended (not looping) or failed to play. */
      type: 'announcement-ended';
      mixer: MixerId;
      fileId: number;
      /** Set when the file could not be played. */
      error?: string;
    }
  | {
      /** The mixer stopped for good (its worker thread crashed): the room is silent from now on. */
      type: 'mixer-failed';
      mixer: MixerId;
      error: string;
    };

/** Options of {@link PluginMedia.playFile}. */
export interface PlayFileOptions {
  /** Start again at the end (default false). */
  loop?: boolean;
}

/** A mixer's full mix sent as plain RTP (Janus AudioBridge `rtp_forward`). */
export interface MixerForward {
  host: string;
  port: number;
  /** SSRC to write (default random). */
  ssrc?: number;
  /** Payload type to write (default 100). */
  payloadType?: number;
}
