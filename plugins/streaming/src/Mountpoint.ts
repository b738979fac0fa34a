import type { RoomAccessState, RtpEndpointId } from '@cardea/plugin-sdk';
import type { Viewer } from './Viewer.ts';

/** One stream of a mountpoint: what its source sends on one RTP endpoint of the core. */
export interface MountpointStream {
  readonly type: 'audio' | 'video';
  readonly mid: string;
  readonly mindex: number;
  readonly label: string;
  readonly msid: string | undefined;
  readonly pt: number;
  /** Codec name, lower case (`opus`, `vp8`, …). */
  readonly codec: string;
  readonly clockRate: number;
  readonly fmtp: string | undefined;
  /** The core's RTP endpoint receiving this stream. */
  readonly endpoint: RtpEndpointId;
  /** The local ports the source sends to. */
  readonly port: number;
  readonly rtcpPort: number;
}

/** A mountpoint's own settings, as `create` sets them and `edit` changes some. */
export interface MountpointSettings {
  name: string;
  description: string;
  metadata: string | undefined;
  isPrivate: boolean;
}

/**
 * An RTP mountpoint: streams coming in on RTP endpoints, relayed by the core to every viewer
 * watching it. Satisfies the SDK's `AccessibleRoom`, so `RoomAccess` checks its secret and pin.
 */
export class Mountpoint {
  readonly id: number;
  readonly options: RoomAccessState;
  readonly settings: MountpointSettings;
  readonly streams: readonly MountpointStream[];
  /** Viewers watching (or preparing to watch) this mountpoint. */
  readonly viewers = new Set<Viewer>();
  enabled = true;
  /** Set while `destroy` runs, so lookups stop finding it. */
  destroyed = false;

  constructor(id: number, options: RoomAccessState, settings: MountpointSettings, streams: readonly MountpointStream[]) {
    this.id = id;
    this.options = options;
    this.settings = settings;
    this.streams = streams;
  }

  stream(mid: string): MountpointStream | undefined {
    return this.streams.find((s) => s.mid === mid);
  }
}
