import { syncRequest, type JsonObject, type PluginApi, type RequestContext, type RequestTable, type z } from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import { fileRef, playFileSchema, roomRef, rtpForwardSchema, stopRtpForwardSchema } from './audiobridgeSchemas.ts';
import type { AudioBridgeService } from './AudioBridgeService.ts';

function randomFileId(taken: Map<string, unknown>): string {
  for (;;) {
    const id = String(1 + Math.floor(Math.random() * 2 ** 32));
    if (!taken.has(id)) return id;
  }
}

type Ctx<S extends z.ZodType> = RequestContext<z.output<S>>;

/** The AudioBridge's synchronous media requests: the room mix as plain RTP, and announcements. */
export function mediaRequests(service: AudioBridgeService): RequestTable {
  const { access } = service;

  async function rtpForward({ input: f, api }: Ctx<typeof rtpForwardSchema>): Promise<JsonObject> {
    const room = access.managed(f.room, f.secret);
    const forward: Parameters<PluginApi['media']['forwardMixer']>[1] = { host: f.host, port: f.port, payloadType: f.ptype ?? 100 };
    if (f.ssrc !== undefined) forward.ssrc = f.ssrc;
    const streamId = await api.media.forwardMixer(room.mixer, forward);
    room.forwarders.set(streamId, { host: f.host, port: f.port, ssrc: f.ssrc, ptype: f.ptype ?? 100 });
    return { audiobridge: 'success', room: room.id, stream_id: streamId, host: f.host, port: f.port };
  }

  async function stopRtpForward({ input: s, api }: Ctx<typeof stopRtpForwardSchema>): Promise<JsonObject> {
    const room = access.managed(s.room, s.secret);
    if (!room.forwarders.delete(s.stream_id))
      throw new AudioBridgeFailure(AudioBridgeError.NO_SUCH_USER, `No such stream (${s.stream_id})`);
    await api.media.stopMixerForward(room.mixer, s.stream_id);
    return { audiobridge: 'success', room: room.id, stream_id: s.stream_id };
  }

  function listForwarders({ input }: Ctx<typeof roomRef>): JsonObject {
    const room = access.managed(input.room, input.secret);
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

  async function playFile({ input: p, api }: Ctx<typeof playFileSchema>): Promise<JsonObject> {
    const room = access.managed(p.room, p.secret);
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

  function isPlaying({ input: f }: Ctx<typeof fileRef>): JsonObject {
    const room = access.room(f.room);
    return { audiobridge: 'success', room: room.id, file_id: f.file_id, playing: room.files.has(f.file_id) };
  }

  function listAnnouncements({ input }: Ctx<typeof roomRef>): JsonObject {
    const room = access.room(input.room);
    const announcements = [...room.files].map(([id, f]) => ({ file_id: id, filename: f.filename, playing: true, loop: f.loop }));
    return { audiobridge: 'announcements', room: room.id, announcements };
  }

  /** stop_file (one, by `file_id`) and stop_all_files. */
  async function stopFiles(room: number, secret: string | undefined, fileId: string | undefined, api: PluginApi): Promise<JsonObject> {
    const r = access.managed(room, secret);
    const ids = fileId === undefined ? [...r.files.keys()] : [fileId];
    if (fileId !== undefined && !r.files.has(fileId))
      throw new AudioBridgeFailure(AudioBridgeError.INVALID_ELEMENT, `No such file (${fileId})`);
    for (const id of ids) {
      const file = r.files.get(id);
      if (!file) continue;
      r.files.delete(id);
      await api.media.stopFile(r.mixer, file.mixerFile);
      await service.notify(r, { audiobridge: 'announcement-stopped', room: r.id, file_id: id }, api);
    }
    return { audiobridge: 'success', room: r.id };
  }

  return {
    rtp_forward: syncRequest({ schema: rtpForwardSchema, run: rtpForward }),
    stop_rtp_forward: syncRequest({ schema: stopRtpForwardSchema, run: stopRtpForward }),
    listforwarders: syncRequest({ schema: roomRef, run: listForwarders }),
    play_file: syncRequest({ schema: playFileSchema, run: playFile }),
    is_playing: syncRequest({ schema: fileRef, run: isPlaying }),
    stop_file: syncRequest({ schema: fileRef, run: ({ input, api }) => stopFiles(input.room, input.secret, input.file_id, api) }),
    stop_all_files: syncRequest({ schema: roomRef, run: ({ input, api }) => stopFiles(input.room, input.secret, undefined, api) }),
    listannouncements: syncRequest({ schema: roomRef, run: listAnnouncements }),
  };
}
