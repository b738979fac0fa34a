import type { HandleId, JsonObject } from '@cardea/plugin-sdk';
import type { Publisher } from './Publisher.ts';
import type { Subscriber } from './Subscriber.ts';

/** Room options as `create` sets them (defaults as Janus's). */
export interface RoomOptions {
  description: string;
  secret: string | undefined;
  pin: string | undefined;
  isPrivate: boolean;
  /** Most active publishers (default 3). */
  publishers: number;
  /** REMB cap for publishers, bits per second; 0 = none (default 0). */
  bitrate: number;
  /** Keyframe request period for publishers, seconds; 0 = none (default 0). */
  firFreq: number;
  /** Allowed audio codecs in preference order (default ["opus"]). */
  audiocodec: string[];
  /** Allowed video codecs in preference order (default ["vp8"]). */
  videocodec: string[];
  notifyJoining: boolean;
  requirePvtid: boolean;
  audiolevelEvent: boolean;
  audioActivePackets: number;
  audioLevelAverage: number;
  /** Janus `record`: every publisher is recorded. */
  record: boolean;
  /** Janus `rec_dir`: folder of the recordings (default: the working directory). */
  recDir: string | undefined;
  /** Tokens allowed to join, when the allowed list is enabled. */
  allowed: Set<string> | undefined;
}

/** A VideoRoom room: its options, its participants (publishers and attendees) and subscribers. */
export class Room {
  readonly id: number;
  options: RoomOptions;
  readonly participants = new Map<number, Publisher>();
  readonly subscribers = new Set<Subscriber>();
  destroyed = false;

  constructor(id: number, options: RoomOptions) {
    this.id = id;
    this.options = options;
  }

  /** Publishers whose media is up, as entries for `joined` / `event.publishers`. */
  activePublishers(except?: number): JsonObject[] {
    return [...this.participants.values()].filter((p) => p.active && p.id !== except).map((p) => p.entry());
  }

  /** Number of participants currently publishing (counted against `publishers`). */
  get publishingCount(): number {
    return [...this.participants.values()].filter((p) => p.publishing).length;
  }

  /** Handles that receive room notifications: every participant. */
  participantHandles(except?: number): HandleId[] {
    return [...this.participants.values()].filter((p) => p.id !== except).map((p) => p.handle);
  }

  /** The room as `list` describes it. */
  describe(): JsonObject {
    const o = this.options;
    return {
      room: this.id,
      description: o.description,
      pin_required: o.pin !== undefined,
      is_private: o.isPrivate,
      max_publishers: o.publishers,
      bitrate: o.bitrate,
      fir_freq: o.firFreq,
      require_pvtid: o.requirePvtid,
      notify_joining: o.notifyJoining,
      audiocodec: o.audiocodec.join(','),
      videocodec: o.videocodec.join(','),
      record: o.record,
      audiolevel_event: o.audiolevelEvent,
      num_participants: this.participants.size,
    };
  }
}
