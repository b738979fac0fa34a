import {
  syncRequest,
  type JsonObject,
  type MixerOptions,
  type PluginApi,
  type RequestContext,
  type RequestTable,
  type z,
} from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import {
  createSchema,
  editSchema,
  enableMjrsSchema,
  enableRecordingSchema,
  muteRoomSchema,
  participantRef,
  roomRef,
} from './audiobridgeSchemas.ts';
import { defaultRoomOptions, type AudioBridgeService } from './AudioBridgeService.ts';
import { mediaRequests } from './mediaRequests.ts';
import { stopParticipantRecording, syncParticipantRecording } from './participantRecording.ts';
import { Room, type RoomOptions } from './Room.ts';

function randomId(taken: { has(id: number): boolean }): number {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * 2 ** 32);
    if (!taken.has(id)) return id;
  }
}

/** The mixer a room's options ask for. */
function mixerOptions(o: RoomOptions): MixerOptions {
  return {
    sampleRate: o.samplingRate,
    mode: o.mixing,
    speakers: o.speakers,
    activeSpeakerAbove: o.activeSpeakerAbove,
    prebuffer: o.defaultPrebuffering,
    bitrate: o.defaultBitrate,
    talkingEvents: o.audiolevelEvent ? { threshold: o.audioLevelAverage, packets: o.audioActivePackets } : null,
  };
}

/** The options `create` asks for, over the defaults. */
function roomOptions(id: number, c: z.output<typeof createSchema>, service: AudioBridgeService): RoomOptions {
  const d = defaultRoomOptions();
  return {
    ...d,
    ...service.access.initial(c),
    description: c.description ?? `Room ${id}`,
    isPrivate: c.is_private ?? false,
    samplingRate: c.sampling_rate ?? d.samplingRate,
    audiolevelEvent: c.audiolevel_event ?? false,
    audioActivePackets: c.audio_active_packets ?? d.audioActivePackets,
    audioLevelAverage: c.audio_level_average ?? d.audioLevelAverage,
    defaultPrebuffering: c.default_prebuffering ?? d.defaultPrebuffering,
    defaultExpectedLoss: c.default_expectedloss ?? 0,
    defaultBitrate: c.default_bitrate ?? 0,
    record: c.record ?? false,
    recordFile: c.record_file,
    recordDir: c.record_dir,
    mjrs: c.mjrs ?? false,
    mjrsDir: c.mjrs_dir,
    mixing: c.mixing ?? d.mixing,
    speakers: c.speakers ?? d.speakers,
    activeSpeakerAbove: c.active_speaker_above ?? d.activeSpeakerAbove,
    groups: c.groups,
  };
}

/** Where a room records: `record_file`, else `audiobridge-<room>-<time>.opus`, in `record_dir` if set. */
function recordPath(room: Room, file: string | undefined, dir: string | undefined): string {
  const name = file ?? `audiobridge-${room.id}-${Date.now()}.opus`;
  const base = dir ?? room.options.recordDir;
  return base === undefined || name.startsWith('/') ? name : `${base.replace(/\/+$/, '')}/${name}`;
}

async function startRecording(room: Room, api: PluginApi, file?: string, dir?: string): Promise<void> {
  const path = recordPath(room, file ?? room.options.recordFile, dir);
  try {
    await api.media.recordMixer(room.mixer, path);
  } catch (error) {
    throw new AudioBridgeFailure(AudioBridgeError.UNKNOWN_ERROR, `Error starting the recording ${path}: ${(error as Error).message}`);
  }
  room.recording = path;
}

/** Destroys a room: participants are told, their PeerConnections closed, the mixer released. */
export async function destroyRoom(service: AudioBridgeService, room: Room, api: PluginApi): Promise<void> {
  room.destroyed = true;
  service.rooms.delete(room.id);
  for (const p of room.participants.values()) {
    service.participants.delete(p.handle);
    await stopParticipantRecording(p, api);
    await api.pushEvent(p.handle, { data: { audiobridge: 'destroyed', room: room.id } });
    await api.closePeerConnection(p.handle);
  }
  room.participants.clear();
  await api.media.destroyMixer(room.mixer);
}

type Ctx<S extends z.ZodType> = RequestContext<z.output<S>>;

/**
 * The synchronous AudioBridge requests (answered in the `success` of the request, and through the
 * Admin API's `message_plugin`), one small handler each; forwarders and files are in mediaRequests.ts.
 */
export function roomRequests(service: AudioBridgeService): RequestTable {
  const { access } = service;

  async function create({ input: c, body, api }: Ctx<typeof createSchema>): Promise<JsonObject> {
    access.checkAdminKey(body);
    if (c.room !== undefined && service.rooms.has(c.room))
      throw new AudioBridgeFailure(AudioBridgeError.ROOM_EXISTS, `Room ${c.room} already exists`);
    const id = c.room ?? randomId(service.rooms);
    const options = roomOptions(id, c, service);
    const mixer = await api.media.createMixer(mixerOptions(options));
    if (service.rooms.has(id)) {
      await api.media.destroyMixer(mixer);
      throw new AudioBridgeFailure(AudioBridgeError.ROOM_EXISTS, `Room ${id} already exists`);
    }
    const room = new Room(id, options, mixer);
    service.rooms.set(id, room);
    if (options.record) await startRecording(room, api);
    return { audiobridge: 'created', room: id, permanent: false };
  }

  function edit({ input: e }: Ctx<typeof editSchema>): JsonObject {
    const room = access.managed(e.room, e.secret);
    const o = room.options;
    if (e.new_description !== undefined) o.description = e.new_description;
    access.edit(room, e);
    if (e.new_is_private !== undefined) o.isPrivate = e.new_is_private;
    if (e.new_record_dir !== undefined) o.recordDir = e.new_record_dir;
    return { audiobridge: 'edited', room: room.id };
  }

  async function destroy({ input, api }: Ctx<typeof roomRef>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    await destroyRoom(service, room, api);
    return { audiobridge: 'destroyed', room: room.id };
  }

  async function kick(room: Room, id: number, api: PluginApi): Promise<void> {
    const p = service.participant(room, id);
    await service.notify(room, { audiobridge: 'event', room: room.id, kicked: p.id }, api);
    service.participants.delete(p.handle);
    await service.onGone(p, api);
    await api.closePeerConnection(p.handle);
  }

  async function kickAll({ input, api }: Ctx<typeof roomRef>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    for (const p of [...room.participants.values()]) {
      await api.pushEvent(p.handle, { data: { audiobridge: 'event', room: room.id, kicked_all: p.id } });
      service.participants.delete(p.handle);
      room.participants.delete(p.id);
      await api.media.removeFromMixer(p.handle, room.mixer);
      await api.closePeerConnection(p.handle);
    }
    return { audiobridge: 'success' };
  }

  /** mute / unmute / suspend / resume one participant: the room hears its new state. */
  async function participantState({ name, input, api }: Ctx<typeof participantRef>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    const p = service.participant(room, input.id);
    if (name === 'mute' || name === 'unmute') p.muted = name === 'mute';
    else p.suspended = name === 'suspend';
    await service.applyMixer(p, api);
    await service.notify(room, { audiobridge: 'event', room: room.id, participants: [p.entry()] }, api);
    return { audiobridge: 'success' };
  }

  async function muteRoom({ name, input, api }: Ctx<typeof muteRoomSchema>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    const muted = name === 'mute_room';
    if (room.muted !== muted) {
      room.muted = muted;
      for (const p of room.participants.values()) await service.applyMixer(p, api);
      await service.notify(room, { audiobridge: 'event', room: room.id, muted }, api);
    }
    return { audiobridge: 'success' };
  }

  const resetSchema = participantRef.partial({ id: true });
  async function resetdecoder({ input, api }: Ctx<typeof resetSchema>): Promise<JsonObject> {
    const room = access.room(input.room);
    for (const p of room.participants.values())
      if (input.id === undefined || p.id === input.id) await api.media.resetMixerDecoder(p.handle, room.mixer);
    return { audiobridge: 'success' };
  }

  async function mixerstats({ input, api }: Ctx<typeof roomRef>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    return { audiobridge: 'success', room: room.id, stats: (await api.media.mixerStats(room.mixer)) as unknown as JsonObject };
  }

  async function enableRecording({ input: r, api }: Ctx<typeof enableRecordingSchema>): Promise<JsonObject> {
    const room = access.managed(r.room, r.secret);
    if (r.record && room.recording === undefined) await startRecording(room, api, r.record_file, r.record_dir);
    else if (!r.record && room.recording !== undefined) {
      await api.media.recordMixer(room.mixer, null);
      room.recording = undefined;
    }
    room.options.record = r.record;
    return { audiobridge: 'success', record: r.record };
  }

  async function enableMjrs({ input: r, api }: Ctx<typeof enableMjrsSchema>): Promise<JsonObject> {
    const room = access.managed(r.room, r.secret);
    room.options.mjrs = r.mjrs;
    if (r.mjrs_dir !== undefined) room.options.mjrsDir = r.mjrs_dir;
    for (const p of room.participants.values()) await syncParticipantRecording(p, api);
    return { audiobridge: 'success' };
  }

  const stateRequest = syncRequest({ schema: participantRef, run: participantState });
  const muteRoomRequest = syncRequest({ schema: muteRoomSchema, run: muteRoom });
  return {
    create: syncRequest({ schema: createSchema, run: create }),
    edit: syncRequest({ schema: editSchema, run: edit }),
    destroy: syncRequest({ schema: roomRef, run: destroy }),
    exists: syncRequest({
      schema: roomRef,
      run: ({ input }) => ({ audiobridge: 'success', room: input.room, exists: service.rooms.has(input.room) }),
    }),
    allowed: access.allowedRequest(),
    kick: access.kickRequest(kick),
    kick_all: syncRequest({ schema: roomRef, run: kickAll }),
    list: syncRequest({
      run: () => ({
        audiobridge: 'success',
        list: [...service.rooms.values()].filter((r) => !r.options.isPrivate).map((r) => r.describe()),
      }),
    }),
    listparticipants: syncRequest({
      schema: roomRef,
      run: ({ input }) => {
        const room = access.room(input.room);
        return { audiobridge: 'participants', room: room.id, participants: room.entries() };
      },
    }),
    mute: stateRequest,
    unmute: stateRequest,
    mute_room: muteRoomRequest,
    unmute_room: muteRoomRequest,
    resetdecoder: syncRequest({ schema: resetSchema, run: resetdecoder }),
    ...mediaRequests(service),
    enable_recording: syncRequest({ schema: enableRecordingSchema, run: enableRecording }),
    enable_mjrs: syncRequest({ schema: enableMjrsSchema, run: enableMjrs }),
    suspend: stateRequest,
    resume: stateRequest,
    // Cardea: the room mixer's counters (frames, late frames, codec work, mode, speakers).
    mixerstats: syncRequest({ schema: roomRef, run: mixerstats }),
  };
}
