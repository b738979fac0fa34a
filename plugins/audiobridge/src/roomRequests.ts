import type { JsonObject, MixerOptions, PluginApi } from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import {
  allowedSchema,
  createSchema,
  editSchema,
  enableMjrsSchema,
  enableRecordingSchema,
  fileRef,
  muteRoomSchema,
  parse,
  participantRef,
  playFileSchema,
  roomRef,
  rtpForwardSchema,
  stopRtpForwardSchema,
} from './audiobridgeSchemas.ts';
import { defaultRoomOptions, type AudioBridgeService } from './AudioBridgeService.ts';
import { stopParticipantRecording, syncParticipantRecording } from './participantRecording.ts';
import { Room, type RoomOptions } from './Room.ts';

/** The synchronous AudioBridge requests: answered in the `success` of the request. */
export const syncRequests = new Set([
  'create',
  'edit',
  'destroy',
  'exists',
  'allowed',
  'kick',
  'kick_all',
  'list',
  'listparticipants',
  'mute',
  'unmute',
  'mute_room',
  'unmute_room',
  'resetdecoder',
  'rtp_forward',
  'stop_rtp_forward',
  'listforwarders',
  'play_file',
  'is_playing',
  'stop_file',
  'stop_all_files',
  'listannouncements',
  'enable_recording',
  'enable_mjrs',
  'suspend',
  'resume',
  // Cardea: the room mixer's counters (frames, late frames, codec work, mode, speakers).
  'mixerstats',
]);

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

/** Runs one synchronous request and returns its answer. */
export async function runSyncRequest(service: AudioBridgeService, request: string, body: JsonObject, api: PluginApi): Promise<JsonObject> {
  switch (request) {
    case 'create':
      return create(service, body, api);
    case 'edit': {
      const e = parse(editSchema, body);
      const room = service.room(e.room);
      service.checkSecret(room, e.secret);
      const o = room.options;
      if (e.new_description !== undefined) o.description = e.new_description;
      if (e.new_secret !== undefined) o.secret = e.new_secret;
      if (e.new_pin !== undefined) o.pin = e.new_pin || undefined;
      if (e.new_is_private !== undefined) o.isPrivate = e.new_is_private;
      if (e.new_record_dir !== undefined) o.recordDir = e.new_record_dir;
      return { audiobridge: 'edited', room: room.id };
    }
    case 'destroy': {
      const d = parse(roomRef, body);
      const room = service.room(d.room);
      service.checkSecret(room, d.secret);
      await destroyRoom(service, room, api);
      return { audiobridge: 'destroyed', room: room.id };
    }
    case 'exists': {
      const { room } = parse(roomRef, body);
      return { audiobridge: 'success', room, exists: service.rooms.has(room) };
    }
    case 'list':
      return { audiobridge: 'success', list: [...service.rooms.values()].filter((r) => !r.options.isPrivate).map((r) => r.describe()) };
    case 'listparticipants': {
      const room = service.room(parse(roomRef, body).room);
      return { audiobridge: 'participants', room: room.id, participants: room.entries() };
    }
    case 'allowed': {
      const a = parse(allowedSchema, body);
      const room = service.room(a.room);
      service.checkSecret(room, a.secret);
      if (a.action === 'disable') room.options.allowed = undefined;
      else {
        const set = room.options.allowed ?? new Set<string>();
        for (const token of a.allowed ?? []) {
          if (a.action === 'remove') set.delete(token);
          else set.add(token);
        }
        room.options.allowed = set;
      }
      return { audiobridge: 'success', room: room.id, ...(room.options.allowed ? { allowed: [...room.options.allowed] } : {}) };
    }
    case 'kick': {
      const k = parse(participantRef, body);
      const room = service.room(k.room);
      service.checkSecret(room, k.secret);
      const p = service.participant(room, k.id);
      await service.notify(room, { audiobridge: 'event', room: room.id, kicked: p.id }, api);
      service.participants.delete(p.handle);
      await service.onGone(p, api);
      await api.closePeerConnection(p.handle);
      return { audiobridge: 'success' };
    }
    case 'kick_all': {
      const k = parse(roomRef, body);
      const room = service.room(k.room);
      service.checkSecret(room, k.secret);
      for (const p of [...room.participants.values()]) {
        await api.pushEvent(p.handle, { data: { audiobridge: 'event', room: room.id, kicked_all: p.id } });
        service.participants.delete(p.handle);
        room.participants.delete(p.id);
        await api.media.removeFromMixer(p.handle, room.mixer);
        await api.closePeerConnection(p.handle);
      }
      return { audiobridge: 'success' };
    }
    case 'mute':
    case 'unmute':
    case 'suspend':
    case 'resume': {
      const m = parse(participantRef, body);
      const room = service.room(m.room);
      service.checkSecret(room, m.secret);
      const p = service.participant(room, m.id);
      if (request === 'mute' || request === 'unmute') p.muted = request === 'mute';
      else p.suspended = request === 'suspend';
      await service.applyMixer(p, api);
      await service.notify(room, { audiobridge: 'event', room: room.id, participants: [p.entry()] }, api);
      return { audiobridge: 'success' };
    }
    case 'mute_room':
    case 'unmute_room': {
      const m = parse(muteRoomSchema, body);
      const room = service.room(m.room);
      service.checkSecret(room, m.secret);
      const muted = request === 'mute_room';
      if (room.muted !== muted) {
        room.muted = muted;
        for (const p of room.participants.values()) await service.applyMixer(p, api);
        await service.notify(room, { audiobridge: 'event', room: room.id, muted }, api);
      }
      return { audiobridge: 'success' };
    }
    case 'resetdecoder': {
      const r = parse(participantRef.partial({ id: true }), body);
      const room = service.room(r.room);
      for (const p of room.participants.values())
        if (r.id === undefined || p.id === r.id) await api.media.resetMixerDecoder(p.handle, room.mixer);
      return { audiobridge: 'success' };
    }
    case 'mixerstats': {
      const m = parse(roomRef, body);
      const room = service.room(m.room);
      service.checkSecret(room, m.secret);
      return { audiobridge: 'success', room: room.id, stats: (await api.media.mixerStats(room.mixer)) as unknown as JsonObject };
    }
    case 'enable_recording': {
      const r = parse(enableRecordingSchema, body);
      const room = service.room(r.room);
      service.checkSecret(room, r.secret);
      if (r.record && room.recording === undefined) await startRecording(room, api, r.record_file, r.record_dir);
      else if (!r.record && room.recording !== undefined) {
        await api.media.recordMixer(room.mixer, null);
        room.recording = undefined;
      }
      room.options.record = r.record;
      return { audiobridge: 'success', record: r.record };
    }
    case 'enable_mjrs': {
      const r = parse(enableMjrsSchema, body);
      const room = service.room(r.room);
      service.checkSecret(room, r.secret);
      room.options.mjrs = r.mjrs;
      if (r.mjrs_dir !== undefined) room.options.mjrsDir = r.mjrs_dir;
      for (const p of room.participants.values()) await syncParticipantRecording(p, api);
      return { audiobridge: 'success' };
    }
    default:
      return runMediaRequest(service, request, body, api);
  }
}

async function create(service: AudioBridgeService, body: JsonObject, api: PluginApi): Promise<JsonObject> {
  const c = parse(createSchema, body);
  if (c.room !== undefined && service.rooms.has(c.room))
    throw new AudioBridgeFailure(AudioBridgeError.ROOM_EXISTS, `Room ${c.room} already exists`);
  const id = c.room ?? randomId(service.rooms);
  const d = defaultRoomOptions();
  const options: RoomOptions = {
    ...d,
    description: c.description ?? `Room ${id}`,
    secret: c.secret,
    pin: c.pin,
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
    allowed: c.allowed ? new Set(c.allowed) : undefined,
  };
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

/** Forwarders and files: the room mix as RTP, announcements. */
async function runMediaRequest(service: AudioBridgeService, request: string, body: JsonObject, api: PluginApi): Promise<JsonObject> {
  switch (request) {
    case 'rtp_forward': {
      const f = parse(rtpForwardSchema, body);
      const room = service.room(f.room);
      service.checkSecret(room, f.secret);
      const forward: Parameters<PluginApi['media']['forwardMixer']>[1] = { host: f.host, port: f.port, payloadType: f.ptype ?? 100 };
      if (f.ssrc !== undefined) forward.ssrc = f.ssrc;
      const streamId = await api.media.forwardMixer(room.mixer, forward);
      room.forwarders.set(streamId, { host: f.host, port: f.port, ssrc: f.ssrc, ptype: f.ptype ?? 100 });
      return { audiobridge: 'success', room: room.id, stream_id: streamId, host: f.host, port: f.port };
    }
    case 'stop_rtp_forward': {
      const s = parse(stopRtpForwardSchema, body);
      const room = service.room(s.room);
      service.checkSecret(room, s.secret);
      if (!room.forwarders.delete(s.stream_id))
        throw new AudioBridgeFailure(AudioBridgeError.NO_SUCH_USER, `No such stream (${s.stream_id})`);
      await api.media.stopMixerForward(room.mixer, s.stream_id);
      return { audiobridge: 'success', room: room.id, stream_id: s.stream_id };
    }
    case 'listforwarders': {
      const l = parse(roomRef, body);
      const room = service.room(l.room);
      service.checkSecret(room, l.secret);
      const rtp_forwarders = [...room.forwarders].map(([id, f]) => ({
        stream_id: id,
        ip: f.host,
        port: f.port,
        ...(f.ssrc !== undefined ? { ssrc: f.ssrc } : {}),
        ptype: f.ptype,
        codec: 'opus',
      }));
      return { audiobridge: 'forwarders', room: room.id, rtp_forwarders };
    }
    case 'play_file': {
      const p = parse(playFileSchema, body);
      const room = service.room(p.room);
      service.checkSecret(room, p.secret);
      const fileId = p.file_id ?? randomFileId(room.files);
      if (room.files.has(fileId)) throw new AudioBridgeFailure(AudioBridgeError.INVALID_ELEMENT, `File ID exists (${fileId})`);
      let mixerFile: number;
      try {
        mixerFile = await api.media.playFile(room.mixer, p.filename, { loop: p.loop ?? false });
      } catch (error) {
        throw new AudioBridgeFailure(AudioBridgeError.INVALID_ELEMENT, `Error opening file ${p.filename}: ${(error as Error).message}`);
      }
      room.files.set(fileId, { mixerFile, filename: p.filename, loop: p.loop ?? false });
      await service.notify(room, { audiobridge: 'announcement-started', room: room.id, file_id: fileId }, api);
      return { audiobridge: 'success', room: room.id, file_id: fileId };
    }
    case 'is_playing': {
      const f = parse(fileRef, body);
      const room = service.room(f.room);
      return { audiobridge: 'success', room: room.id, file_id: f.file_id, playing: room.files.has(f.file_id) };
    }
    case 'listannouncements': {
      const room = service.room(parse(roomRef, body).room);
      const announcements = [...room.files].map(([id, f]) => ({ file_id: id, filename: f.filename, playing: true, loop: f.loop }));
      return { audiobridge: 'announcements', room: room.id, announcements };
    }
    case 'stop_file':
    case 'stop_all_files': {
      const f = request === 'stop_file' ? parse(fileRef, body) : { ...parse(roomRef, body), file_id: undefined };
      const room = service.room(f.room);
      service.checkSecret(room, f.secret);
      const ids = f.file_id === undefined ? [...room.files.keys()] : [f.file_id];
      if (f.file_id !== undefined && !room.files.has(f.file_id))
        throw new AudioBridgeFailure(AudioBridgeError.INVALID_ELEMENT, `No such file (${f.file_id})`);
      for (const id of ids) {
        const file = room.files.get(id);
        if (!file) continue;
        room.files.delete(id);
        await api.media.stopFile(room.mixer, file.mixerFile);
        await service.notify(room, { audiobridge: 'announcement-stopped', room: room.id, file_id: id }, api);
      }
      return { audiobridge: 'success', room: room.id };
    }
    default:
      throw new AudioBridgeFailure(AudioBridgeError.INVALID_REQUEST, `Unknown request '${request}'`);
  }
}

function randomFileId(taken: Map<string, unknown>): string {
  for (;;) {
    const id = String(1 + Math.floor(Math.random() * 2 ** 32));
    if (!taken.has(id)) return id;
  }
}
