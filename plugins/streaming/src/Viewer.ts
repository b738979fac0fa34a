import type { HandleId, JsonObject } from '@cardea/plugin-sdk';
import type { Mountpoint, MountpointStream } from './Mountpoint.ts';

/** One stream a viewer receives: a mountpoint stream on one of the viewer's m-lines. */
export interface ViewerStream {
  /** The mountpoint stream feeding it (changes on `switch`). */
  source: MountpointStream;
  /** The mid of the viewer's m-line, known once the offer is made. */
  mid: string | undefined;
  /** `configure` `send`: whether this stream is relayed (default true). */
  send: boolean;
}

/**
 * Where a viewer is in Janus's flow: `watch` → `preparing` (offer sent) → `start` + answer →
 * `starting` → PeerConnection up → `started`; `pause` → `paused`; `start` again resumes.
 */
export type ViewerState = 'preparing' | 'starting' | 'started' | 'paused';

/** A handle watching a mountpoint. */
export class Viewer {
  readonly handle: HandleId;
  mountpoint: Mountpoint;
  streams: ViewerStream[];
  state: ViewerState = 'preparing';
  /** The PeerConnection is up (`setupMedia` came). */
  mediaUp = false;

  constructor(handle: HandleId, mountpoint: Mountpoint, sources: readonly MountpointStream[]) {
    this.handle = handle;
    this.mountpoint = mountpoint;
    this.streams = sources.map((source) => ({ source, mid: undefined, send: true }));
  }

  get paused(): boolean {
    return this.state === 'paused';
  }

  /** The viewer stream configured by `mid`: the mountpoint's mid or the viewer's own m-line mid. */
  streamsFor(mid: string | undefined): ViewerStream[] {
    if (mid === undefined) return this.streams;
    return this.streams.filter((s) => s.source.mid === mid || s.mid === mid);
  }

  /** What `query_session` (Admin API handle info) shows. */
  describe(): JsonObject {
    return {
      mountpoint: this.mountpoint.id,
      state: this.state,
      media: this.streams.map((s) => ({ mid: s.source.mid, ...(s.mid !== undefined ? { viewer_mid: s.mid } : {}), send: s.send })),
    };
  }
}
