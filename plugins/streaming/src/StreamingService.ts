import { RoomAccess, type HandleId, type JsonObject, type MediaRoute, type PluginApi } from '@cardea/plugin-sdk';
import type { Mountpoint } from './Mountpoint.ts';
import { StreamingError, StreamingFailure } from './streamingErrors.ts';
import type { Viewer, ViewerStream } from './Viewer.ts';

/** The status event Janus wraps every viewer state change in: `{"streaming":"event","result":{"status":…}}`. */
export function statusEvent(status: string, extra: JsonObject = {}): JsonObject {
  return { streaming: 'event', result: { status, ...extra } };
}

/**
 * The Streaming plugin's state: mountpoints by id and viewers by handle. Packets never pass
 * through here: each mountpoint stream is one of the core's RTP endpoints, and a viewer is a set
 * of routes from those endpoints to its handle.
 */
export class StreamingService {
  readonly mountpoints = new Map<number, Mountpoint>();
  readonly viewers = new Map<HandleId, Viewer>();
  readonly access: RoomAccess<Mountpoint>;

  /** @param adminKey Janus `admin_key`: when set, `create` needs it (default none). */
  constructor(adminKey?: string) {
    this.access = new RoomAccess<Mountpoint>({
      key: 'streaming',
      codes: {
        NO_SUCH_ROOM: StreamingError.NO_SUCH_MOUNTPOINT,
        UNAUTHORIZED: StreamingError.UNAUTHORIZED,
        MISSING_ELEMENT: StreamingError.MISSING_ELEMENT,
      },
      lookup: (id) => this.#live(id),
      ...(adminKey !== undefined ? { adminKey } : {}),
    });
  }

  #live(id: number): Mountpoint | undefined {
    const mp = this.mountpoints.get(id);
    return mp && !mp.destroyed ? mp : undefined;
  }

  /** The mountpoint of `id`, or 455 `No such mountpoint/stream <id>` (Janus's wording). */
  mountpoint(id: number): Mountpoint {
    const mp = this.#live(id);
    if (!mp) throw new StreamingFailure(StreamingError.NO_SUCH_MOUNTPOINT, `No such mountpoint/stream ${id}`);
    return mp;
  }

  /** The mountpoint of `id` for a management request: its secret must match when it has one. */
  managed(id: number, secret: string | undefined): Mountpoint {
    const mp = this.mountpoint(id);
    this.access.checkSecret(mp, secret);
    return mp;
  }

  /** A free random mountpoint id. */
  freeId(): number {
    for (;;) {
      const id = 1 + Math.floor(Math.random() * 2 ** 32);
      if (!this.mountpoints.has(id)) return id;
    }
  }

  /** Adds or removes the route feeding one viewer stream, as its state says. */
  async routeStream(viewer: Viewer, stream: ViewerStream, api: PluginApi): Promise<void> {
    if (stream.mid === undefined) return;
    const route: MediaRoute = { from: stream.source.endpoint, to: viewer.handle, kinds: [stream.source.type], toMid: stream.mid };
    const on = stream.send && viewer.mountpoint.enabled;
    if (on) await api.media.addRoute(route);
    else await api.media.removeRoute(route);
  }

  /** Removes every route of a viewer (it stops watching, or switches away). */
  async unrouteAll(viewer: Viewer, api: PluginApi): Promise<void> {
    for (const s of viewer.streams) {
      if (s.mid !== undefined)
        await api.media.removeRoute({ from: s.source.endpoint, to: viewer.handle, kinds: [s.source.type], toMid: s.mid });
    }
  }

  /** A viewer stops watching: routes go, the mountpoint forgets it. The PeerConnection is the caller's. */
  async dropViewer(viewer: Viewer, api: PluginApi): Promise<void> {
    if (this.viewers.get(viewer.handle) !== viewer) return;
    this.viewers.delete(viewer.handle);
    viewer.mountpoint.viewers.delete(viewer);
    await this.unrouteAll(viewer, api);
  }

  /** Ends every viewer of a mountpoint: `stopped` (when `notify`), then their PeerConnections close. */
  async endViewers(mp: Mountpoint, api: PluginApi, notify: boolean): Promise<void> {
    for (const viewer of [...mp.viewers]) {
      await this.dropViewer(viewer, api);
      // The handle may be gone already (its own hangup cleaned up what was left): nobody to tell.
      const gone = (error: unknown) => api.log.debug('streaming: viewer already gone', { handle: viewer.handle, error: String(error) });
      if (notify) await api.pushEvent(viewer.handle, { data: statusEvent('stopped') }).catch(gone);
      await api.closePeerConnection(viewer.handle).catch(gone);
    }
  }

  /** Destroys a mountpoint: viewers get `stopped` and lose their PeerConnection; its RTP endpoints close. */
  async destroy(mp: Mountpoint, api: PluginApi): Promise<void> {
    if (mp.destroyed) return;
    mp.destroyed = true;
    await this.endViewers(mp, api, true);
    for (const s of mp.streams) await api.media.closeRtpEndpoint(s.endpoint);
    this.mountpoints.delete(mp.id);
  }

  /** The handle went away (detach, session end): forget its viewer. */
  async handleGone(handle: HandleId, api: PluginApi): Promise<void> {
    const viewer = this.viewers.get(handle);
    if (viewer) await this.dropViewer(viewer, api);
  }
}
