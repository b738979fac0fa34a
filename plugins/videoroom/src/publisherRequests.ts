import {
  asyncRequest,
  type AsyncRequestContext,
  type AsyncRequestSpec,
  type JsonObject,
  type MediaKind,
  type NegotiatedJsep,
  type PluginApi,
  type PluginMessage,
  type z,
} from '@cardea/plugin-sdk';
import { Publisher } from './Publisher.ts';
import { stopPublisherRecording, syncPublisherRecording } from './publisherRecording.ts';
import type { Room } from './Room.ts';
import { dropFeed, refreshFeedRoutes } from './subscriberRequests.ts';
import { VideoRoomError, VideoRoomFailure } from './videoroomErrors.ts';
import { publisherJoinSchema, publishSchema } from './videoroomSchemas.ts';
import type { VideoRoomService } from './VideoRoomService.ts';

type PublishFields = z.output<typeof publishSchema>;

function uniqueParticipantId(room: Room): number {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * (2 ** 53 - 2));
    if (!room.participants.has(id)) return id;
  }
}

/** Picks the first room codec the client offers for a kind. */
function pickCodec(allowed: string[], message: PluginMessage, kind: MediaKind, requested: string | undefined): string | undefined {
  const offered = new Set(message.jsep?.media.filter((m) => m.kind === kind).flatMap((m) => m.codecs) ?? []);
  const order = requested ? [requested.toLowerCase(), ...allowed] : allowed;
  return order.find((c) => allowed.includes(c) && offered.has(c));
}

/** Applies a client's offer as the publisher's media: answers recvonly with the room's codecs. */
async function publish(
  service: VideoRoomService,
  publisher: Publisher,
  message: PluginMessage,
  fields: PublishFields,
  api: PluginApi,
): Promise<NegotiatedJsep> {
  const { jsep } = message;
  if (!jsep) throw new VideoRoomFailure(VideoRoomError.MISSING_ELEMENT, 'Missing SDP offer');
  if (jsep.type !== 'offer') throw new VideoRoomFailure(VideoRoomError.INVALID_SDP_TYPE, 'Publishing needs an SDP offer');
  const room = publisher.room;
  if (!publisher.publishing && room.publishingCount >= room.options.publishers) {
    throw new VideoRoomFailure(VideoRoomError.PUBLISHERS_FULL, `Maximum number of publishers (${room.options.publishers}) already reached`);
  }
  const audioCodec = pickCodec(room.options.audiocodec, message, 'audio', fields.audiocodec);
  const videoCodec = pickCodec(room.options.videocodec, message, 'video', fields.videocodec);
  const answer = await api.negotiate(publisher.handle, {
    type: 'answer',
    direction: 'recvonly',
    audio: audioCodec !== undefined && fields.audio !== false,
    video: videoCodec !== undefined && fields.video !== false,
    ...(audioCodec ? { audioCodec } : {}),
    ...(videoCodec ? { videoCodec } : {}),
  });
  const descriptions = new Map((fields.descriptions ?? []).map((d) => [d.mid, d.description]));
  publisher.setStreams(
    jsep.media.filter((m) => (m.kind === 'audio' ? audioCodec : m.kind === 'video' ? videoCodec : true) !== undefined),
    audioCodec,
    videoCodec,
    descriptions,
  );
  publisher.publishing = true;
  if (fields.display !== undefined) publisher.display = fields.display;
  applyRecordFields(publisher, fields);
  await syncPublisherRecording(publisher, api);
  const cap = fields.bitrate ?? room.options.bitrate;
  if (cap > 0) {
    publisher.bitrate = cap;
    await api.media.setBitrateCap(publisher.handle, cap);
  }
  if (room.options.audiolevelEvent) {
    await api.media.detectTalking(publisher.handle, {
      threshold: room.options.audioLevelAverage,
      packets: room.options.audioActivePackets,
    });
  }
  return answer;
}

function applyRecordFields(publisher: Publisher, fields: PublishFields): void {
  if (fields.record !== undefined) publisher.record = fields.record;
  if (fields.filename !== undefined) publisher.recordBase = fields.filename;
}

function configured(publisher: Publisher): JsonObject {
  const data: JsonObject = { videoroom: 'event', room: publisher.room.id, configured: 'ok' };
  if (publisher.audioCodec) data.audio_codec = publisher.audioCodec;
  if (publisher.videoCodec) data.video_codec = publisher.videoCodec;
  data.streams = publisher.entry().streams ?? [];
  return data;
}

/** Publisher up: announced to the rest of the room (Janus pushes this just before webrtcup). */
export async function publisherUp(service: VideoRoomService, publisher: Publisher, api: PluginApi): Promise<void> {
  publisher.active = true;
  await service.notify(publisher.room, { videoroom: 'event', room: publisher.room.id, publishers: [publisher.entry()] }, api, publisher.id);
}

/** A publisher stops publishing ('unpublished') or leaves the room ('leaving'). */
export async function publisherGone(
  service: VideoRoomService,
  publisher: Publisher,
  api: PluginApi,
  reason: 'leaving' | 'unpublished',
): Promise<void> {
  const room = publisher.room;
  const wasPublishing = publisher.publishing;
  publisher.publishing = false;
  publisher.active = false;
  await stopPublisherRecording(publisher, api);
  for (const id of publisher.forwarders.keys()) await api.media.stopRtpForward(id);
  publisher.forwarders.clear();
  if (wasPublishing) {
    await dropFeed(service, publisher, api);
    await api.media.detectTalking(publisher.handle, null);
  }
  publisher.streams = [];
  if (reason === 'leaving') {
    if (room.participants.get(publisher.id) !== publisher) return;
    room.participants.delete(publisher.id);
    await service.notify(room, { videoroom: 'event', room: room.id, leaving: publisher.id }, api);
  } else if (wasPublishing) {
    await service.notify(room, { videoroom: 'event', room: room.id, unpublished: publisher.id }, api, publisher.id);
  }
}

type Ctx<I> = AsyncRequestContext<I>;

/** The asynchronous requests of a participant handle (Janus "publisher"), one handler each. */
export function publisherRequests(service: VideoRoomService): Readonly<Record<string, AsyncRequestSpec>> {
  /** The handle's publisher, or 424 "Join the room first". */
  const joined = (ctx: Ctx<unknown>): Publisher => {
    const publisher = service.publisherOf(ctx.message.handle);
    if (!publisher) throw new VideoRoomFailure(VideoRoomError.JOIN_FIRST, 'Join the room first');
    return publisher;
  };

  async function join(ctx: Ctx<z.output<typeof publisherJoinSchema>>): Promise<void> {
    const { input: j, message, api } = ctx;
    const fields = ctx.parse(publishSchema);
    if (service.roles.has(message.handle))
      throw new VideoRoomFailure(VideoRoomError.ALREADY_JOINED, 'Already in as a publisher on this handle');
    const room = service.access.room(j.room);
    service.access.checkJoin(room, j.pin, j.token);
    if (j.id !== undefined && room.participants.has(j.id))
      throw new VideoRoomFailure(VideoRoomError.ID_EXISTS, `User ID ${j.id} already exists`);
    const publisher = new Publisher(
      j.id ?? uniqueParticipantId(room),
      message.handle,
      room,
      Math.floor(Math.random() * 2 ** 32),
      j.display,
    );
    room.participants.set(publisher.id, publisher);
    service.roles.set(message.handle, { kind: 'publisher', publisher });
    if (room.options.notifyJoining) {
      const joining: JsonObject = { id: publisher.id, ...(publisher.display !== undefined ? { display: publisher.display } : {}) };
      await service.notify(room, { videoroom: 'event', room: room.id, joining }, api, publisher.id);
    }
    const jsep = ctx.name === 'joinandconfigure' && message.jsep ? await publish(service, publisher, message, fields, api) : undefined;
    await ctx.reply(joinedData(publisher), jsep);
  }

  async function configure(ctx: Ctx<PublishFields>): Promise<void> {
    const { input: fields, message, api } = ctx;
    const publisher = joined(ctx);
    const { handle } = message;
    if (ctx.name === 'publish' && publisher.publishing && !message.jsep?.update)
      throw new VideoRoomFailure(VideoRoomError.ALREADY_PUBLISHED, 'Already publishing');
    let jsep: NegotiatedJsep | undefined;
    if (message.jsep) jsep = await publish(service, publisher, message, fields, api);
    else if (ctx.name === 'publish') throw new VideoRoomFailure(VideoRoomError.MISSING_ELEMENT, 'Missing SDP offer');
    if (fields.display !== undefined) publisher.display = fields.display;
    applyRecordFields(publisher, fields);
    await syncPublisherRecording(publisher, api);
    if (fields.bitrate !== undefined) {
      publisher.bitrate = fields.bitrate;
      await api.media.setBitrateCap(handle, fields.bitrate);
    }
    if (fields.keyframe) await api.media.requestKeyframe(handle);
    if (await applySendFlags(publisher, fields, api)) await refreshFeedRoutes(service, publisher, api);
    await ctx.reply(configured(publisher), jsep);
  }

  async function unpublish(ctx: Ctx<unknown>): Promise<void> {
    const publisher = joined(ctx);
    if (!publisher.publishing) throw new VideoRoomFailure(VideoRoomError.NOT_PUBLISHED, "Can't unpublish, not published");
    await publisherGone(service, publisher, ctx.api, 'unpublished');
    await ctx.reply({ videoroom: 'event', room: publisher.room.id, unpublished: 'ok' });
    await ctx.api.closePeerConnection(ctx.message.handle);
  }

  async function leave(ctx: Ctx<unknown>): Promise<void> {
    const publisher = joined(ctx);
    service.roles.delete(ctx.message.handle);
    await ctx.reply({ videoroom: 'event', room: publisher.room.id, leaving: 'ok' });
    await publisherGone(service, publisher, ctx.api, 'leaving');
    await ctx.api.closePeerConnection(ctx.message.handle);
  }

  const guard = (ctx: Ctx<unknown>): void => void joined(ctx);
  return {
    join: asyncRequest({ schema: publisherJoinSchema, run: join }),
    joinandconfigure: asyncRequest({ schema: publisherJoinSchema, run: join }),
    publish: asyncRequest({ guard, schema: publishSchema, run: configure }),
    configure: asyncRequest({ guard, schema: publishSchema, run: configure }),
    unpublish: asyncRequest({ run: unpublish }),
    leave: asyncRequest({ run: leave }),
  };
}

/** `joined`: the room, the publisher's ids, who publishes (and, with notify_joining, the attendees). */
function joinedData(publisher: Publisher): JsonObject {
  const room = publisher.room;
  const data: JsonObject = {
    videoroom: 'joined',
    room: room.id,
    description: room.options.description,
    id: publisher.id,
    private_id: publisher.privateId,
    publishers: room.activePublishers(publisher.id),
  };
  if (room.options.notifyJoining) {
    data.attendees = [...room.participants.values()]
      .filter((p) => !p.publishing && p.id !== publisher.id)
      .map((p) => ({ id: p.id, ...(p.display !== undefined ? { display: p.display } : {}) }));
  }
  return data;
}

/** `audio` / `video` / `data` and per-stream `send` of configure; true when a route must change. */
async function applySendFlags(publisher: Publisher, fields: PublishFields, api: PluginApi): Promise<boolean> {
  let routesChanged = false;
  for (const [kind, on] of [
    ['audio', fields.audio],
    ['video', fields.video],
    ['data', fields.data],
  ] as const) {
    if (on === undefined) continue;
    for (const s of publisher.streams) {
      if (s.type !== kind || s.send === on) continue;
      s.send = on;
      routesChanged = true;
    }
  }
  for (const change of fields.streams ?? []) {
    const s = publisher.streams.find((x) => x.mid === change.mid);
    if (s && change.send !== undefined && s.send !== change.send) {
      s.send = change.send;
      routesChanged = true;
    }
    if (change.keyframe) await api.media.requestKeyframe(publisher.handle);
  }
  return routesChanged;
}
