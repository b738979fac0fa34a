import { syncRequest, type JsonObject, type PluginApi, type RequestContext, type RequestTable, type z } from '@cardea/plugin-sdk';
import { stopPublisherRecording } from './publisherRecording.ts';
import { Room } from './Room.ts';
import { VideoRoomError, VideoRoomFailure } from './videoroomErrors.ts';
import { createSchema, editSchema, roomRef, rtpForwardSchema, stopRtpForwardSchema } from './videoroomSchemas.ts';
import { defaultRoomOptions, type VideoRoomService } from './VideoRoomService.ts';

function randomRoomId(taken: Map<number, Room>): number {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * 2 ** 32);
    if (!taken.has(id)) return id;
  }
}

const codecList = (value: string | undefined, fallback: string[]): string[] =>
  value === undefined
    ? fallback
    : value
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean);

type Ctx<S extends z.ZodType> = RequestContext<z.output<S>>;

/**
 * The synchronous VideoRoom requests (answered in the `success` of the request, and through the
 * Admin API's `message_plugin`), one small handler each, over `service`.
 */
export function roomRequests(service: VideoRoomService): RequestTable {
  const { access } = service;

  function create({ input: c, body }: Ctx<typeof createSchema>): JsonObject {
    access.checkAdminKey(body);
    if (c.room !== undefined && service.rooms.has(c.room))
      throw new VideoRoomFailure(VideoRoomError.ROOM_EXISTS, `Room ${c.room} already exists`);
    const id = c.room ?? randomRoomId(service.rooms);
    const o = defaultRoomOptions();
    const room = new Room(id, {
      ...o,
      ...access.initial(c),
      description: c.description ?? `Room ${id}`,
      isPrivate: c.is_private ?? false,
      publishers: c.publishers ?? o.publishers,
      bitrate: c.bitrate ?? 0,
      firFreq: c.fir_freq ?? 0,
      audiocodec: codecList(c.audiocodec, o.audiocodec),
      videocodec: codecList(c.videocodec, o.videocodec),
      notifyJoining: c.notify_joining ?? false,
      requirePvtid: c.require_pvtid ?? false,
      audiolevelEvent: c.audiolevel_event ?? false,
      audioActivePackets: c.audio_active_packets ?? o.audioActivePackets,
      audioLevelAverage: c.audio_level_average ?? o.audioLevelAverage,
      record: c.record ?? false,
      recDir: c.rec_dir,
    });
    service.rooms.set(id, room);
    return { videoroom: 'created', room: id, permanent: false };
  }

  function edit({ input: e }: Ctx<typeof editSchema>): JsonObject {
    const room = access.managed(e.room, e.secret);
    const o = room.options;
    if (e.new_description !== undefined) o.description = e.new_description;
    access.edit(room, e);
    if (e.new_is_private !== undefined) o.isPrivate = e.new_is_private;
    if (e.new_publishers !== undefined) o.publishers = e.new_publishers;
    if (e.new_bitrate !== undefined) o.bitrate = e.new_bitrate;
    if (e.new_fir_freq !== undefined) o.firFreq = e.new_fir_freq;
    return { videoroom: 'edited', room: room.id };
  }

  async function destroy({ input, api }: Ctx<typeof roomRef>): Promise<JsonObject> {
    const room = access.managed(input.room, input.secret);
    room.destroyed = true;
    service.rooms.delete(room.id);
    for (const p of room.participants.values()) await stopPublisherRecording(p, api);
    const handles = [...room.participantHandles(), ...[...room.subscribers].map((s) => s.handle)];
    for (const handle of handles) {
      service.roles.delete(handle);
      await api.pushEvent(handle, { data: { videoroom: 'destroyed', room: room.id } });
      await api.closePeerConnection(handle);
    }
    return { videoroom: 'destroyed', room: room.id };
  }

  function exists({ input }: Ctx<typeof roomRef>): JsonObject {
    return { videoroom: 'success', room: input.room, exists: service.rooms.has(input.room) };
  }

  function list(): JsonObject {
    return { videoroom: 'success', list: [...service.rooms.values()].filter((r) => !r.options.isPrivate).map((r) => r.describe()) };
  }

  async function kick(room: Room, id: number, api: PluginApi): Promise<void> {
    const participant = room.participants.get(id);
    if (!participant) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, `No such user ${id} in room ${room.id}`);
    await api.pushEvent(participant.handle, { data: { videoroom: 'event', room: room.id, leaving: 'ok', reason: 'kicked' } });
    service.roles.delete(participant.handle);
    await service.onPublisherGone(participant, api, 'leaving');
    await service.notify(room, { videoroom: 'event', room: room.id, kicked: id }, api);
    await api.closePeerConnection(participant.handle);
  }

  function listparticipants({ input }: Ctx<typeof roomRef>): JsonObject {
    const room = access.room(input.room);
    const participants = [...room.participants.values()].map((p) => ({
      id: p.id,
      ...(p.display !== undefined ? { display: p.display } : {}),
      publisher: p.active,
      ...(room.options.audiolevelEvent ? { talking: p.talking } : {}),
    }));
    return { videoroom: 'participants', room: room.id, participants };
  }

  function listforwarders({ input }: Ctx<typeof roomRef>): JsonObject {
    const room = access.managed(input.room, input.secret);
    const publishers = [...room.participants.values()]
      .filter((p) => p.forwarders.size > 0)
      .map((p) => ({
        publisher_id: p.id,
        ...(p.display !== undefined ? { display: p.display } : {}),
        forwarders: [...p.forwarders].map(([streamId, f]) => ({
          stream_id: streamId,
          type: f.type,
          mid: f.mid,
          host: f.host,
          port: f.port,
        })),
      }));
    return { videoroom: 'forwarders', room: room.id, publishers };
  }

  async function rtpForward({ input: f, api }: Ctx<typeof rtpForwardSchema>): Promise<JsonObject> {
    const room = access.managed(f.room, f.secret);
    const publisher = room.participants.get(f.publisher_id);
    if (!publisher || !publisher.publishing) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, `No such publisher ${f.publisher_id}`);
    const wanted = [...(f.streams ?? [])];
    // Legacy form: audio_port / video_port name the first stream of each kind.
    for (const [kind, port] of [
      ['audio', f.audio_port],
      ['video', f.video_port],
    ] as const) {
      const stream = publisher.streams.find((s) => s.type === kind);
      if (port !== undefined && stream) wanted.push({ mid: stream.mid, port });
    }
    if (wanted.length === 0) throw new VideoRoomFailure(VideoRoomError.MISSING_ELEMENT, 'Missing element (streams)');
    const forwarders: JsonObject[] = [];
    for (const w of wanted) {
      const stream = publisher.streams.find((s) => s.mid === w.mid);
      if (!stream) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, `No such stream mid ${w.mid}`);
      const forward: Parameters<PluginApi['media']['forwardRtp']>[1] = { mid: w.mid, host: f.host, port: w.port };
      // The kind from the publisher's SDP: the plane needs it before the PeerConnection is up.
      if (stream.type !== 'data') forward.kind = stream.type;
      if (w.ssrc !== undefined) forward.ssrc = w.ssrc;
      if (w.pt !== undefined) forward.payloadType = w.pt;
      const id = await api.media.forwardRtp(publisher.handle, forward);
      publisher.forwarders.set(id, { mid: w.mid, host: f.host, port: w.port, type: stream.type });
      forwarders.push({ stream_id: id, type: stream.type, mid: w.mid, host: f.host, port: w.port });
    }
    return { videoroom: 'rtp_forward', room: room.id, publisher_id: publisher.id, forwarders };
  }

  async function stopRtpForward({ input: s, api }: Ctx<typeof stopRtpForwardSchema>): Promise<JsonObject> {
    const room = access.managed(s.room, s.secret);
    const publisher = room.participants.get(s.publisher_id);
    if (!publisher || !publisher.forwarders.has(s.stream_id)) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, 'No such forwarder');
    publisher.forwarders.delete(s.stream_id);
    await api.media.stopRtpForward(s.stream_id);
    return { videoroom: 'stop_rtp_forward', room: room.id, publisher_id: publisher.id, stream_id: s.stream_id };
  }

  return {
    create: syncRequest({ schema: createSchema, run: create }),
    edit: syncRequest({ schema: editSchema, run: edit }),
    destroy: syncRequest({ schema: roomRef, run: destroy }),
    exists: syncRequest({ schema: roomRef, run: exists }),
    list: syncRequest({ run: list }),
    allowed: access.allowedRequest(),
    kick: access.kickRequest(kick),
    listparticipants: syncRequest({ schema: roomRef, run: listparticipants }),
    listforwarders: syncRequest({ schema: roomRef, run: listforwarders }),
    rtp_forward: syncRequest({ schema: rtpForwardSchema, run: rtpForward }),
    stop_rtp_forward: syncRequest({ schema: stopRtpForwardSchema, run: stopRtpForward }),
  };
}
