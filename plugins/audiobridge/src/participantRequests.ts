import {
  asyncRequest,
  type AsyncRequestContext,
  type JsonObject,
  type NegotiatedJsep,
  type PluginApi,
  type PluginMessage,
  type RequestTable,
  type z,
} from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import { configureSchema, joinSchema } from './audiobridgeSchemas.ts';
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
  const room = service.access.room(j.room);
  service.access.checkJoin(room, j.pin, j.token);
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

type Ctx<I> = AsyncRequestContext<I>;

/** The asynchronous AudioBridge requests, one handler each. */
export function participantRequests(service: AudioBridgeService): RequestTable {
  /** The handle's participant, or 487. */
  const joined = (ctx: Ctx<unknown>): Participant => {
    const p = service.participants.get(ctx.message.handle);
    if (!p) throw new AudioBridgeFailure(AudioBridgeError.NOT_JOINED, "Can't configure (not in a room)");
    return p;
  };

  async function join(ctx: Ctx<z.output<typeof joinSchema>>): Promise<void> {
    const { input: j, message, api } = ctx;
    const { handle } = message;
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
    await ctx.reply(joinedData('joined', p), jsep);
  }

  async function configure(ctx: Ctx<ParticipantFields>): Promise<void> {
    const p = joined(ctx);
    const before = JSON.stringify(p.entry());
    applyFields(p, ctx.input);
    const jsep = await negotiate(p, ctx.message, ctx.api);
    await service.applyMixer(p, ctx.api);
    await syncParticipantRecording(p, ctx.api);
    if (JSON.stringify(p.entry()) !== before) await service.announce(p, ctx.api);
    await ctx.reply({ audiobridge: 'event', result: 'ok' }, jsep);
  }

  async function changeroom(ctx: Ctx<z.output<typeof joinSchema>>): Promise<void> {
    const p = joined(ctx);
    const room = admit(service, ctx.input);
    if (room === p.room) throw new AudioBridgeFailure(AudioBridgeError.ALREADY_JOINED, 'Already in this room');
    await participantGone(service, p, ctx.api);
    applyFields(p, ctx.input);
    await enter(service, p, room, ctx.api);
    await ctx.reply(joinedData('roomchanged', p));
  }

  async function leave(ctx: Ctx<unknown>): Promise<void> {
    const p = joined(ctx);
    service.participants.delete(p.handle);
    await participantGone(service, p, ctx.api);
    await ctx.reply({ audiobridge: 'left', room: p.room.id, id: p.id });
    await ctx.api.closePeerConnection(p.handle);
  }

  async function hangup(ctx: Ctx<unknown>): Promise<void> {
    joined(ctx);
    await ctx.reply({ audiobridge: 'hangingup' });
    await ctx.api.closePeerConnection(ctx.message.handle);
  }

  const guard = (ctx: Ctx<unknown>): void => void joined(ctx);
  return {
    join: asyncRequest({ schema: joinSchema, run: join }),
    configure: asyncRequest({ guard, schema: configureSchema, run: configure }),
    changeroom: asyncRequest({ guard, schema: joinSchema, run: changeroom }),
    leave: asyncRequest({ run: leave }),
    hangup: asyncRequest({ run: hangup }),
  };
}

/** `joined` / `roomchanged`: the room, the participant, and everyone else in it. */
function joinedData(event: 'joined' | 'roomchanged', p: Participant): JsonObject {
  const data: JsonObject = { audiobridge: event, room: p.room.id, id: p.id };
  if (p.display !== undefined) data.display = p.display;
  data.participants = p.room.entries(p.id);
  return data;
}
