import type { HandleId, JsonObject, MediaLine, RecordingId } from '@cardea/plugin-sdk';
import type { Room } from './Room.ts';

/** One published stream, as Janus lists it in `streams`. */
export interface PublishedStream {
  type: 'audio' | 'video' | 'data';
  mindex: number;
  mid: string;
  codec: string | undefined;
  /** Simulcast rids, if the publisher sends simulcast on this mid. */
  rids: string[] | undefined;
  description: string | undefined;
  /** False when the publisher asked not to relay this stream (`configure` streams send:false). */
  send: boolean;
}

/** A room participant (Janus "publisher" handle): may publish media, and receives room events. */
export class Publisher {
  readonly id: number;
  readonly handle: HandleId;
  readonly room: Room;
  readonly privateId: number;
  display: string | undefined;
  /** Negotiated streams, once publishing. */
  streams: PublishedStream[] = [];
  /** True from `publish` until `unpublish`/hangup. */
  publishing = false;
  /** True once the PeerConnection is up (announced to the room). */
  active = false;
  talking = false;
  audioCodec: string | undefined;
  videoCodec: string | undefined;
  bitrate = 0;
  /** Janus `record`: each published stream goes to an `.mjr` file (publisherRecording.ts). */
  record = false;
  /** Janus `filename`: base name of those files. */
  recordBase: string | undefined;
  /** The core's recordings, by mid. */
  readonly recordings = new Map<string, RecordingId>();
  /** RTP forwarders by stream id → mid. */
  readonly forwarders = new Map<number, { mid: string; host: string; port: number; type: string }>();

  constructor(id: number, handle: HandleId, room: Room, privateId: number, display: string | undefined) {
    this.id = id;
    this.handle = handle;
    this.room = room;
    this.privateId = privateId;
    this.display = display;
  }

  /** Records the streams of a publisher's negotiated offer (the client's m-lines). */
  setStreams(media: MediaLine[], audioCodec: string | undefined, videoCodec: string | undefined, descriptions: Map<string, string>): void {
    this.audioCodec = audioCodec;
    this.videoCodec = videoCodec;
    this.streams = media
      .filter((m) => m.direction === 'sendrecv' || m.direction === 'sendonly' || m.kind === 'data')
      .map((m) => ({
        type: m.kind,
        mindex: m.mindex,
        mid: m.mid,
        codec: m.kind === 'audio' ? audioCodec : m.kind === 'video' ? videoCodec : undefined,
        rids: m.rids,
        description: descriptions.get(m.mid),
        send: true,
      }));
  }

  /** The publisher as `joined.publishers` / `event.publishers` list it. */
  entry(): JsonObject {
    const out: JsonObject = { id: this.id, talking: this.talking };
    if (this.display !== undefined) out.display = this.display;
    if (this.audioCodec) out.audio_codec = this.audioCodec;
    if (this.videoCodec) out.video_codec = this.videoCodec;
    out.streams = this.streams.map((s) => {
      const stream: JsonObject = { type: s.type, mindex: s.mindex, mid: s.mid };
      if (s.codec) stream.codec = s.codec;
      if (s.type === 'audio') stream.talking = this.talking;
      if (s.rids) stream.simulcast = true;
      if (s.description) stream.description = s.description;
      if (!s.send) stream.disabled = true;
      return stream;
    });
    return out;
  }
}
