import type { HandleId, JsonObject, MixerId, MixerSampleRate } from '@cardea/plugin-sdk';
import type { Participant } from './Participant.ts';

/** Room options as `create` sets them (defaults as Janus's, plus Cardea's mixing choice). */
export interface RoomOptions {
  description: string;
  secret: string | undefined;
  pin: string | undefined;
  isPrivate: boolean;
  /** Mix rate (default 16000). */
  samplingRate: MixerSampleRate;
  audiolevelEvent: boolean;
  /** Packets averaged per talking decision (default 100). */
  audioActivePackets: number;
  /** Average level (−dBov) under which a participant talks (default 25). */
  audioLevelAverage: number;
  /** Frames queued before a participant's audio is mixed (default 6). */
  defaultPrebuffering: number;
  defaultExpectedLoss: number;
  defaultBitrate: number;
  record: boolean;
  recordFile: string | undefined;
  recordDir: string | undefined;
  /** Janus `mjrs`: every participant's own audio is recorded to an `.mjr` file. */
  mjrs: boolean;
  /** Janus `mjrs_dir`: the folder of those files (default: `recordDir`, else the working directory). */
  mjrsDir: string | undefined;
  /** Cardea: `full`, `active-speaker`, or `auto` (active-speaker above `activeSpeakerAbove`). */
  mixing: 'full' | 'active-speaker' | 'auto';
  speakers: number;
  activeSpeakerAbove: number;
  groups: string[] | undefined;
  /** Tokens allowed to join, when the allowed list is enabled. */
  allowed: Set<string> | undefined;
}

/** A file playing in the room (Janus `play_file`). */
export interface RoomFile {
  /** The mixer's id for it. */
  mixerFile: number;
  filename: string;
  loop: boolean;
}

/** A room mix sent as plain RTP (Janus `rtp_forward`). */
export interface RoomForwarder {
  host: string;
  port: number;
  ssrc: number | undefined;
  ptype: number;
}

/** An AudioBridge room: its options, its mixer in the core, its participants. */
export class Room {
  readonly id: number;
  options: RoomOptions;
  readonly mixer: MixerId;
  readonly participants = new Map<number, Participant>();
  /** Files playing, by Janus `file_id`. */
  readonly files = new Map<string, RoomFile>();
  readonly forwarders = new Map<number, RoomForwarder>();
  /** `mute_room`: nobody is mixed until `unmute_room`. */
  muted = false;
  /** Path of the recording in progress. */
  recording: string | undefined;
  destroyed = false;

  constructor(id: number, options: RoomOptions, mixer: MixerId) {
    this.id = id;
    this.options = options;
    this.mixer = mixer;
  }

  /** Handles that receive room notifications (optionally all but one participant). */
  handles(except?: number): HandleId[] {
    const out: HandleId[] = [];
    for (const p of this.participants.values()) if (p.id !== except) out.push(p.handle);
    return out;
  }

  /** Participants as `joined` lists them (all but `except`). */
  entries(except?: number): JsonObject[] {
    return [...this.participants.values()].filter((p) => p.id !== except).map((p) => p.entry());
  }

  /** The room as `list` describes it. */
  describe(): JsonObject {
    const o = this.options;
    return {
      room: this.id,
      description: o.description,
      pin_required: o.pin !== undefined,
      sampling_rate: o.samplingRate,
      spatial_audio: false,
      record: this.recording !== undefined,
      muted: this.muted,
      num_participants: this.participants.size,
      mixing: o.mixing,
    };
  }
}
