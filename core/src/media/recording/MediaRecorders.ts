import type { RecordingInfo, RecordingOptions } from '@cardea/plugin-sdk';
import { TypedEmitter } from '../../util/TypedEmitter.ts';
import { MjrWriter, type MjrFileOpener, type MjrWriterOptions } from './MjrWriter.ts';

/** Events of the recorders (the gateway logs them). */
export interface MediaRecordersEvents {
  /** A recording's file failed (open aside, which rejects `start`); the recording keeps its id and stops writing. */
  error: [id: number, handleId: number, error: Error];
}

interface Recording {
  readonly id: number;
  readonly handleId: number;
  readonly kind: 'audio' | 'video';
  /** The mid asked for, or (by kind) the first mid of the kind that delivered a packet. */
  mid: string | undefined;
  readonly writer: MjrWriter;
}

/**
 * The recordings of one handle's incoming streams: what a media plane calls for each decrypted RTP
 * packet of that handle, and only while at least one recording exists (the plane keeps a null
 * check, no lookup, on its hot path).
 */
export class HandleTap {
  /** @internal */
  readonly recordings: Recording[] = [];

  /** One decrypted RTP packet (`packet[0, length)`) received on `mid`; `codecs` maps payload types to codec names. */
  rtp(mid: string, kind: 'audio' | 'video', packet: Uint8Array, length: number, codecs: ReadonlyMap<number, string>): void {
    for (let i = 0; i < this.recordings.length; i++) {
      const r = this.recordings[i] as Recording;
      if (r.mid === undefined) {
        if (r.kind !== kind) continue;
        r.mid = mid;
      } else if (r.mid !== mid) continue;
      r.writer.write(packet, length, codecs.get((packet[1] as number) & 0x7f));
    }
  }
}

/** Called when a handle's tap appears or (undefined) goes: the plane stores it on the endpoint. */
export type TapListener = (handleId: number, tap: HandleTap | undefined) => void;

/**
 * Recordings of handles' incoming streams to Janus `.mjr` files (one file per stream), shared by both
 * media planes: the planes hand decrypted packets to a handle's {@link HandleTap}, this registry owns
 * the files. Bounded: at most MAX_RECORDINGS at once.
 */
export class MediaRecorders {
  static readonly MAX_RECORDINGS = 1024;
  readonly events = new TypedEmitter<MediaRecordersEvents>();
  readonly #recordings = new Map<number, Recording>();
  readonly #taps = new Map<number, HandleTap>();
  readonly #onTap: TapListener;
  readonly #writerOptions: MjrWriterOptions;
  #nextId = 1;
  #closed = false;

  constructor(onTap: TapListener, writerOptions: MjrWriterOptions = {}) {
    this.#onTap = onTap;
    this.#writerOptions = writerOptions;
  }

  /** The tap of a handle, when it has recordings (for a plane attaching an endpoint). */
  tap(handleId: number): HandleTap | undefined {
    return this.#taps.get(handleId);
  }

  /**
   * Starts recording one of `handleId`'s incoming streams into `options.file` (created, folders
   * included, or truncated). Rejects when the file cannot be opened. The handle need not have a
   * PeerConnection yet: packets are recorded once they flow. `openFile` opens the file (default:
   * any path; a sandboxed plugin's recordings pass a confined opener).
   */
  async start(handleId: number, options: RecordingOptions, openFile?: MjrFileOpener): Promise<number> {
    if (this.#closed) throw new Error('media plane closed');
    if (this.#recordings.size >= MediaRecorders.MAX_RECORDINGS) throw new RangeError('too many recordings');
    if (options.mid === undefined && options.kind === undefined) throw new TypeError('a recording names a mid or a kind');
    const id = this.#nextId++;
    const writer = await MjrWriter.create(
      options.file,
      { ...this.#writerOptions, onError: (error) => this.events.emit('error', id, handleId, error) },
      openFile,
    );
    if (this.#closed) {
      await writer.close();
      throw new Error('media plane closed');
    }
    const recording: Recording = { id, handleId, kind: options.kind ?? 'audio', mid: options.mid, writer };
    this.#recordings.set(id, recording);
    let tap = this.#taps.get(handleId);
    if (!tap) {
      tap = new HandleTap();
      this.#taps.set(handleId, tap);
      tap.recordings.push(recording);
      this.#onTap(handleId, tap);
    } else tap.recordings.push(recording);
    return id;
  }

  /** Stops a recording: resolves once its file is flushed and closed. Unknown ids resolve at once. */
  async stop(id: number): Promise<RecordingInfo | undefined> {
    const r = this.#recordings.get(id);
    if (!r) return undefined;
    this.#recordings.delete(id);
    const tap = this.#taps.get(r.handleId);
    if (tap) {
      tap.recordings.splice(tap.recordings.indexOf(r), 1);
      if (tap.recordings.length === 0) {
        this.#taps.delete(r.handleId);
        this.#onTap(r.handleId, undefined);
      }
    }
    await r.writer.close();
    return this.#info(r);
  }

  /** Stops every recording of a handle (it is gone). */
  async stopHandle(handleId: number): Promise<void> {
    const ids = [...this.#recordings.values()].filter((r) => r.handleId === handleId).map((r) => r.id);
    await Promise.all(ids.map((id) => this.stop(id)));
  }

  /** The live recordings (of one handle, or all). */
  list(handleId?: number): RecordingInfo[] {
    return [...this.#recordings.values()].filter((r) => handleId === undefined || r.handleId === handleId).map((r) => this.#info(r));
  }

  /** One live recording, or undefined. */
  info(id: number): RecordingInfo | undefined {
    const r = this.#recordings.get(id);
    return r ? this.#info(r) : undefined;
  }

  /** Stops everything (files flushed and closed). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#recordings.keys()].map((id) => this.stop(id)));
  }

  #info(r: Recording): RecordingInfo {
    const s = r.writer.stats;
    const out: RecordingInfo = { id: r.id, handle: r.handleId, file: r.writer.path, kind: r.kind, packets: s.packets, bytes: s.bytes, dropped: s.dropped, skipped: s.skipped, errors: s.errors };
    if (r.mid !== undefined) out.mid = r.mid;
    if (s.codec !== undefined) out.codec = s.codec;
    return out;
  }
}
