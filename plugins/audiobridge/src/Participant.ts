import type { HandleId, JsonObject, MixerParticipantOptions, RecordingId } from '@cardea/plugin-sdk';
import type { Room } from './Room.ts';

/** A room participant: one handle, one PeerConnection carrying audio both ways. */
export class Participant {
  readonly id: number;
  readonly handle: HandleId;
  room: Room;
  display: string | undefined;
  muted = false;
  suspended = false;
  /** Gain in percent (Janus `volume`, default 100). */
  volume = 100;
  /** Encoder complexity 1–10 (Janus `quality`, default 4). */
  quality = 4;
  bitrate = 0;
  expectedLoss = 0;
  prebuffer: number | undefined;
  /** Codec of the participant's audio both ways (Janus `join` `codec`, default opus; fixed at join). */
  codec: 'opus' | 'pcmu' | 'pcma' = 'opus';
  /** True while the PeerConnection is up (Janus `setup`). */
  setup = false;
  talking = false;
  /** The client negotiated (an offer or answer went through `configure`/`join`). */
  negotiated = false;
  /** A gateway offer (`generate_offer`) waits for the client's answer. */
  offerPending = false;
  /** Janus `record`: the participant's own audio goes to an `.mjr` file (participantRecording.ts). */
  record = false;
  /** Janus `filename`: base name of that file (`-audio.mjr` is appended). */
  recordBase: string | undefined;
  /** The core's id of the recording in progress. */
  recording: RecordingId | undefined;

  constructor(id: number, handle: HandleId, room: Room, display: string | undefined) {
    this.id = id;
    this.handle = handle;
    this.room = room;
    this.display = display;
  }

  /** How the mixer treats this participant (a muted room mutes everyone). */
  mixerOptions(): MixerParticipantOptions {
    const options: MixerParticipantOptions = {
      muted: this.muted || this.room.muted,
      suspended: this.suspended,
      volume: this.volume,
      complexity: this.quality,
      bitrate: this.bitrate,
      expectedLoss: this.expectedLoss,
      codec: this.codec,
    };
    if (this.prebuffer !== undefined) options.prebuffer = this.prebuffer;
    return options;
  }

  /** The participant as `joined.participants` and `event.participants` list it. */
  entry(): JsonObject {
    const out: JsonObject = { id: this.id };
    if (this.display !== undefined) out.display = this.display;
    out.setup = this.setup;
    out.muted = this.muted;
    if (this.suspended) out.suspended = true;
    if (this.room.options.audiolevelEvent) out.talking = this.talking;
    return out;
  }
}
