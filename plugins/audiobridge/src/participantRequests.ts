import type { JsonObject, NegotiatedJsep, PluginApi, PluginMessage } from '@cardea/plugin-sdk';
import type { z } from 'zod';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import { configureSchema, joinSchema, parse } from './audiobridgeSchemas.ts';
import type { AudioBridgeService } from './AudioBridgeService.ts';
import { Participant } from './Participant.ts';
import { stopParticipantRecording, syncParticipantRecording } from './participantRecording.ts';
import type { Room } from './Room.ts';

type ParticipantFields = z.output<typeof configureSchema>;

function uniqueParticipantId(room: Room): number {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * (2 ** 53 - 2));
    if (!room.participants.has(id)) return id;
  }
}

/** Applies the fields `join`, `configure` and `changeroom` share. */
function applyFields(p: Participant, f: ParticipantFields): void {
  if (f.display !== undefined) p.display = f.display;
  if (f.muted !== undefined) p.muted = f.muted;
  if (f.volume !== undefined) p.volume = f.volume;
  if (f.quality !== undefined) p.quality = f.quality;
  if (f.bitrate !== undefined) p.bitrate = f.bitrate;
  if (f.expected_loss !== undefined) p.expectedLoss = f.expected_loss;
  if (f.prebuffer !== undefined) p.prebuffer = f.prebuffer;
  if (f.record !== undefined) p.record = f.record;
  if (f.filename !== undefined) p.recordBase = f.filename;
}

/**
 * The client's SDP (or an offer of ours): AudioBridge media is one audio stream each way in the
 * participant's codec (Opus, or G.711 PCMU/PCMA when it joined with `codec`); video and data
 * m-lines are rejected (port 0), as Janus does.
 */
async function negotiate(p: Participant, message: PluginMessage, api: PluginApi): Promise<NegotiatedJsep | undefined> {
  const { jsep } = message;
  if (!jsep) return undefined;
  if (jsep.type === 'offer') {
    if (p.offerPending)
      throw new AudioBridgeFailure(AudioBridgeError.INVALID_SDP, 'Received an offer while waiting for the answer to ours');
    if (!jsep.media.some((m) => m.kind === 'audio' && m.codecs.includes(p.codec)))
      throw new AudioBridgeFailure(
        AudioBridgeError.INVALID_SDP,
        `The offer has no ${p.codec === 'opus' ? 'Opus' : p.codec.toUpperCase()} audio`,
      );
    const answer = await api.negotiate(p.handle, {
      type: 'answer',
      audio: true,
      video: false,
      data: false,
      audioCodec: p.codec,
      direction: 'sendrecv',
    });
    p.negotiated = true;
    return answer;
  }
  if (!p.offerPending) throw new AudioBridgeFailure(AudioBridgeError.INVALID_SDP, 'Received an answer but no offer was sent');
  p.offerPending = false;
  p.negotiated = true;
  return undefined;
}

/** A participant leaves its room: out of the mixer, the others hear `leaving`. */
export async function participantGone(service: AudioBridgeService, p: Participant, api: PluginApi): Promise<void> {
  const room = p.room;
  if (room.participants.get(p.id) !== p) return;
  room.participants.delete(p.id);
  await stopParticipantRecording(p, api);
  if (!room.destroyed) await api.media.removeFromMixer(p.handle, room.mixer);
  await service.notify(room, { audiobridge: 'event', room: room.id, leaving: p.id }, api);
}

/** Checks a join's room, pin, token, id and group; returns the room. */
function admit(service: AudioBridgeService, j: z.output<typeof joinSchema>): Room {
  const room = service.room(j.room);
  service.checkPin(room, j.pin);
  if (room.options.allowed && (j.token === undefined || !room.options.allowed.has(j.token)))
    throw new AudioBridgeFailure(AudioBridgeError.UNAUTHORIZED, 'Unauthorized (not in the allowed list)');
  if (j.id !== undefined && room.participants.has(j.id))
    throw new AudioBridgeFailure(AudioBridgeError.ID_EXISTS, `User ID ${j.id} already exists`);
  if (j.group !== undefined && !room.options.groups?.includes(j.group))
    throw new AudioBridgeFailure(AudioBridgeError.NO_SUCH_GROUP, `No such group (${j.group})`);
  return room;
}

/** Puts a participant into `room`: the room's mixer, the room's map, and tells the others. */
async function enter(service: AudioBridgeService, p: Participant, room: Room, api: PluginApi): Promise<void> {
  p.room = room;
  room.participants.set(p.id, p);
  await api.media.addToMixer(p.handle, room.mixer, p.mixerOptions());
  await syncParticipantRecording(p, api);
  await service.notify(room, { audiobridge: 'joined', room: room.id, participants: [p.entry()] }, api, p.id);
}

/** The asynchronous AudioBridge requests. */
export async function runParticipantRequest(
  service: AudioBridgeService,
  request: string,
  message: PluginMessage,
  api: PluginApi,
): Promise<void> {
  const { handle, transaction, body } = message;
  const reply = (data: JsonObject, jsep?: NegotiatedJsep) => api.pushEvent(handle, { transaction, data, ...(jsep ? { jsep } : {}) });
  if (request === 'join') {
    const j = parse(joinSchema, body);
    if (service.participants.has(handle))
      throw new AudioBridgeFailure(AudioBridgeError.ALREADY_JOINED, 'Already in a room (use changeroom)');
    const room = admit(service, j);
    const p = new Participant(j.id ?? uniqueParticipantId(room), handle, room, j.display);
    p.quality = 4;
    p.expectedLoss = room.options.defaultExpectedLoss;
    p.bitrate = room.options.defaultBitrate;
    applyFields(p, j);
    // Janus AudioBridge `codec`: the participant's stream is G.711 8 kHz both ways when pcmu/pcma.
    p.codec = j.codec ?? 'opus';
    if (j.suspended) p.suspended = true;
    service.participants.set(handle, p);
    await enter(service, p, room, api);
    let jsep = await negotiate(p, message, api);
    if (!jsep && j.generate_offer) {
      jsep = await api.negotiate(handle, { type: 'offer', streams: [{ kind: 'audio', codec: p.codec, direction: 'sendrecv' }] });
      p.offerPending = true;
    }
    const data: JsonObject = { audiobridge: 'joined', room: room.id, id: p.id };
    if (p.display !== undefined) data.display = p.display;
    data.participants = room.entries(p.id);
    return reply(data, jsep);
  }
  const p = service.participants.get(handle);
  if (!p) throw new AudioBridgeFailure(AudioBridgeError.NOT_JOINED, "Can't configure (not in a room)");
  switch (request) {
    case 'configure': {
      const f = parse(configureSchema, body);
      const before = JSON.stringify(p.entry());
      applyFields(p, f);
      const jsep = await negotiate(p, message, api);
      await service.applyMixer(p, api);
      await syncParticipantRecording(p, api);
      if (JSON.stringify(p.entry()) !== before) await service.announce(p, api);
      return reply({ audiobridge: 'event', result: 'ok' }, jsep);
    }
    case 'changeroom': {
      const j = parse(joinSchema, body);
      const room = admit(service, j);
      if (room === p.room) throw new AudioBridgeFailure(AudioBridgeError.ALREADY_JOINED, 'Already in this room');
      await participantGone(service, p, api);
      applyFields(p, j);
      await enter(service, p, room, api);
      const data: JsonObject = { audiobridge: 'roomchanged', room: room.id, id: p.id };
      if (p.display !== undefined) data.display = p.display;
      data.participants = room.entries(p.id);
      return reply(data);
    }
    case 'leave': {
      service.participants.delete(handle);
      await participantGone(service, p, api);
      await reply({ audiobridge: 'left', room: p.room.id, id: p.id });
      return api.closePeerConnection(handle);
    }
    case 'hangup':
      await reply({ audiobridge: 'hangingup' });
      return api.closePeerConnection(handle);
    default:
      throw new AudioBridgeFailure(AudioBridgeError.INVALID_REQUEST, `Unknown request '${request}'`);
  }
}
