import { RoomAccess, type HandleId, type JsonObject, type MixerEvent, type PluginApi } from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import type { Participant } from './Participant.ts';
import { stopParticipantRecording, syncParticipantRecording } from './participantRecording.ts';
import type { Room, RoomOptions } from './Room.ts';

/** Default options of a new room, as Janus's (plus Cardea's `auto` mixing). */
export function defaultRoomOptions(): RoomOptions {
  return {
    description: '',
    secret: undefined,
    pin: undefined,
    isPrivate: false,
    samplingRate: 16000,
    audiolevelEvent: false,
    audioActivePackets: 100,
    audioLevelAverage: 25,
    defaultPrebuffering: 6,
    defaultExpectedLoss: 0,
    defaultBitrate: 0,
    record: false,
    recordFile: undefined,
    recordDir: undefined,
    mjrs: false,
    mjrsDir: undefined,
    mixing: 'auto',
    speakers: 3,
    activeSpeakerAbove: 16,
    groups: undefined,
    allowed: undefined,
  };
}

/**
 * The state shared by the AudioBridge's request handlers: rooms and which participant each handle
 * is. Request handling lives in roomRequests.ts and participantRequests.ts; this class keeps the
 * state consistent when handles, media and mixers report.
 */
export class AudioBridgeService {
  readonly rooms = new Map<number, Room>();
  readonly participants = new Map<HandleId, Participant>();
  /** Hook set by participantRequests.ts (so this file does not import it back). */
  onGone: (participant: Participant, api: PluginApi) => Promise<void> = async () => undefined;

  /** Room lookup, secret, pin and allowed list, with the AudioBridge's codes (489 unauthorized). */
  readonly access = new RoomAccess<Room>({
    key: 'audiobridge',
    codes: AudioBridgeError,
    lookup: (id) => {
      const room = this.rooms.get(id);
      return room && !room.destroyed ? room : undefined;
    },
  });

  participant(room: Room, id: number): Participant {
    const p = room.participants.get(id);
    if (!p) throw new AudioBridgeFailure(AudioBridgeError.NO_SUCH_USER, `No such user ${id} in room ${room.id}`);
    return p;
  }

  /** Sends an unsolicited event to every participant of a room (optionally but one). */
  async notify(room: Room, data: JsonObject, api: PluginApi, except?: number): Promise<void> {
    await Promise.all(room.handles(except).map((h) => api.pushEvent(h, { data })));
  }

  /** Tells the room (all but the participant) about a participant's changed state. */
  async announce(participant: Participant, api: PluginApi): Promise<void> {
    const room = participant.room;
    await this.notify(room, { audiobridge: 'event', room: room.id, participants: [participant.entry()] }, api, participant.id);
  }

  /** Re-applies a participant's mixer options (mute, suspend, volume, encoder). */
  async applyMixer(participant: Participant, api: PluginApi): Promise<void> {
    await api.media.updateMixerParticipant(participant.handle, participant.room.mixer, participant.mixerOptions());
  }

  /** A handle detached (or its session ended): leave its room. */
  async handleGone(handle: HandleId, api: PluginApi): Promise<void> {
    const participant = this.participants.get(handle);
    if (!participant) return;
    this.participants.delete(handle);
    await this.onGone(participant, api);
  }

  /** The PeerConnection is up: the room hears `setup: true` (Janus pushes this before webrtcup). */
  async mediaUp(handle: HandleId, api: PluginApi): Promise<void> {
    const participant = this.participants.get(handle);
    if (!participant || participant.setup) return;
    participant.setup = true;
    participant.offerPending = false;
    await syncParticipantRecording(participant, api);
    await this.announce(participant, api);
  }

  /** The PeerConnection went away: the participant stays in the room, without media. */
  async mediaGone(handle: HandleId, api: PluginApi): Promise<void> {
    const participant = this.participants.get(handle);
    if (!participant || !participant.setup) return;
    participant.setup = false;
    participant.negotiated = false;
    participant.talking = false;
    // Janus closes a participant's recording on hangup; a new PeerConnection starts a new file.
    await stopParticipantRecording(participant, api);
    await this.announce(participant, api);
  }

  /** Talking changes and ended announcements from a room's mixer. */
  async mixerEvent(event: MixerEvent, api: PluginApi): Promise<void> {
    const room = [...this.rooms.values()].find((r) => r.mixer === event.mixer);
    if (!room) return;
    if (event.type === 'talking') {
      const participant = this.participants.get(event.handle);
      if (!participant || participant.room !== room || !room.options.audiolevelEvent) return;
      participant.talking = event.talking;
      await this.notify(
        room,
        {
          audiobridge: event.talking ? 'talking' : 'stopped-talking',
          room: room.id,
          id: participant.id,
          'audio-level-dBov-avg': event.level,
        },
        api,
      );
      return;
    }
    if (event.type === 'mixer-failed') {
      // Janus has no such case (its mixer is a thread of the plugin); tell the room as an error event.
      await this.notify(room, { audiobridge: 'event', room: room.id, error_code: AudioBridgeError.UNKNOWN_ERROR, error: event.error }, api);
      return;
    }
    for (const [fileId, file] of room.files) {
      if (file.mixerFile !== event.fileId) continue;
      room.files.delete(fileId);
      await this.notify(room, { audiobridge: 'announcement-stopped', room: room.id, file_id: fileId }, api);
    }
  }

  query(handle: HandleId): JsonObject {
    const p = this.participants.get(handle);
    if (!p) return { state: 'none' };
    return {
      state: 'joined',
      room: p.room.id,
      id: p.id,
      ...(p.display !== undefined ? { display: p.display } : {}),
      muted: p.muted,
      setup: p.setup,
      suspended: p.suspended,
      volume: p.volume,
      quality: p.quality,
    };
  }
}
