import { syncRequest, type PluginApi, type RequestTable, type z } from '@cardea/plugin-sdk';
import { Mountpoint } from './Mountpoint.ts';
import { createdEntry, infoEntry, listEntry } from './mountpointDescriptions.ts';
import { openRtpStreams } from './rtpMountpoint.ts';
import { StreamingError, StreamingFailure } from './streamingErrors.ts';
import { createSchema, destroySchema, editSchema, mountpointRef } from './streamingSchemas.ts';
import type { StreamingService } from './StreamingService.ts';

/** Mountpoint types of Janus this plugin does not build yet (answered 456 rather than "unknown"). */
const laterTypes = new Set(['live', 'ondemand', 'rtsp']);

async function create(service: StreamingService, c: z.output<typeof createSchema>, api: PluginApi) {
  if (c.type !== 'rtp') {
    if (laterTypes.has(c.type)) throw new StreamingFailure(StreamingError.CANT_CREATE, `Mountpoint type '${c.type}' is not supported yet`);
    throw new StreamingFailure(StreamingError.INVALID_ELEMENT, 'Invalid element (type)');
  }
  if (c.permanent === true)
    throw new StreamingFailure(StreamingError.CANT_CREATE, 'Permanent mountpoints are not supported yet (no configuration file)');
  if (c.id !== undefined && service.mountpoints.has(c.id)) {
    throw new StreamingFailure(StreamingError.CANT_CREATE, 'A stream with the provided ID already exists');
  }
  const name = c.name ?? String(c.id ?? '');
  const streams = await openRtpStreams(c.media ?? [], api);
  // Checked again after the awaits: another create may have taken the id meanwhile.
  const id = c.id ?? service.freeId();
  if (service.mountpoints.has(id)) {
    for (const s of streams) await api.media.closeRtpEndpoint(s.endpoint);
    throw new StreamingFailure(StreamingError.CANT_CREATE, 'A stream with the provided ID already exists');
  }
  const settings = {
    name: name || String(id),
    description: c.description ?? (name || String(id)),
    metadata: c.metadata,
    isPrivate: c.is_private ?? false,
  };
  const mp = new Mountpoint(id, service.access.initial(c), settings, streams);
  service.mountpoints.set(id, mp);
  api.log.info('streaming: mountpoint created', { id, streams: streams.length });
  return { streaming: 'created', created: settings.name, permanent: false, stream: createdEntry(mp) };
}

/** Re-applies every viewer's routes of a mountpoint (after `enable` / `disable`). */
async function rerouteViewers(service: StreamingService, mp: Mountpoint, api: PluginApi): Promise<void> {
  for (const viewer of mp.viewers) for (const s of viewer.streams) await service.routeStream(viewer, s, api);
}

/** The synchronous requests: mountpoint management (Janus 1.x streaming API). */
export function mountpointRequests(service: StreamingService): RequestTable {
  return {
    list: syncRequest({
      run: () => ({
        streaming: 'list',
        list: [...service.mountpoints.values()].filter((mp) => !mp.settings.isPrivate && !mp.destroyed).map(listEntry),
      }),
    }),

    info: syncRequest({
      schema: mountpointRef,
      run: ({ input }) => {
        const mp = service.mountpoint(input.id);
        const full = mp.options.secret === undefined || mp.options.secret === input.secret;
        return { streaming: 'info', info: infoEntry(mp, full) };
      },
    }),

    create: syncRequest({
      schema: createSchema,
      run: ({ input, body, api }) => {
        service.access.checkAdminKey(body);
        return create(service, input, api);
      },
    }),

    destroy: syncRequest({
      schema: destroySchema,
      run: async ({ input, api }) => {
        const mp = service.managed(input.id, input.secret);
        await service.destroy(mp, api);
        return { streaming: 'destroyed', id: mp.id };
      },
    }),

    edit: syncRequest({
      schema: editSchema,
      run: async ({ input: e, api }) => {
        const mp = service.managed(e.id, e.secret);
        if (e.permanent === true)
          throw new StreamingFailure(StreamingError.CANT_CREATE, 'Permanent mountpoints are not supported yet (no configuration file)');
        if (e.new_description !== undefined) mp.settings.description = e.new_description;
        const metadataChanged = e.new_metadata !== undefined && e.new_metadata !== mp.settings.metadata;
        if (e.new_metadata !== undefined) mp.settings.metadata = e.new_metadata;
        if (e.new_is_private !== undefined) mp.settings.isPrivate = e.new_is_private;
        service.access.edit(mp, e);
        if (e.edited_event === true && metadataChanged) {
          for (const viewer of mp.viewers) {
            await api.pushEvent(viewer.handle, { data: { streaming: 'edited', id: mp.id, metadata: mp.settings.metadata ?? '' } });
          }
        }
        return { streaming: 'edited', id: mp.id, permanent: false };
      },
    }),

    enable: syncRequest({
      schema: mountpointRef,
      run: async ({ input, api }) => {
        const mp = service.managed(input.id, input.secret);
        if (!mp.enabled) {
          mp.enabled = true;
          await rerouteViewers(service, mp, api);
        }
        return { streaming: 'ok' };
      },
    }),

    disable: syncRequest({
      schema: mountpointRef,
      run: async ({ input, api }) => {
        const mp = service.managed(input.id, input.secret);
        if (mp.enabled) {
          mp.enabled = false;
          await rerouteViewers(service, mp, api);
        }
        return { streaming: 'ok' };
      },
    }),

    kick_all: syncRequest({
      schema: mountpointRef,
      run: async ({ input, api }) => {
        const mp = service.managed(input.id, input.secret);
        await service.endViewers(mp, api, false);
        return { streaming: 'kicked_all' };
      },
    }),
  };
}
