import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeMjrInfo, MJR_FRAME_HEADER_BYTES, MJR_MAGIC, MJR_MAX_FRAME_BYTES, mjrCodec, type MjrMediaType } from './MjrFormat.ts';

/** Sizing and reporting of one writer. */
export interface MjrWriterOptions {
  /** Bytes gathered in memory before one disk write (default 64 KiB). */
  chunkBytes?: number;
  /**
   * Most bytes waiting for the disk, the chunk being filled included (default 1 MiB, ~40 s of Opus,
   * ~3 s of 2.5 Mbit/s video). A slower disk makes the writer drop packets and count them, never grow.
   */
  maxBacklogBytes?: number;
  /** A partly filled chunk goes to disk at least this often, in ms (default 1000). */
  flushIntervalMs?: number;
  /** A source SSRC silent this long (ms) may be replaced by another one (default 500). */
  ssrcSwitchMs?: number;
  /** Called once per failure (open, write, close); the writer stops writing after a write error. */
  onError?: (error: Error) => void;
}

/** The file a writer fills: what it needs of a FileHandle (a sandboxed plugin's file is confined and its writes bounded). */
export interface MjrFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  close(): Promise<void>;
}

/** Opens (creates or truncates) a recording's file, its folder included. */
export type MjrFileOpener = (path: string) => Promise<MjrFile>;

/** The default opener: any path the gateway itself chose (in-process plugins are trusted). */
const openAnyPath: MjrFileOpener = async (path) => {
  await mkdir(dirname(path), { recursive: true });
  return open(path, 'w');
};

/** What a writer did so far. */
export interface MjrWriterStats {
  /** Packets stored (handed to the disk or waiting in the backlog). */
  packets: number;
  /** Bytes of those packets (frame headers excluded). */
  bytes: number;
  /** Packets dropped because the backlog was full or the file failed. */
  dropped: number;
  /** Packets skipped: a codec .mjr cannot hold (RTX, RED, …), another codec than the first, or a concurrent SSRC. */
  skipped: number;
  /** Failed disk operations. */
  errors: number;
  /** Codec of the recording, once the first packet fixed it. */
  codec: string | undefined;
}

/** Frames are timed by a monotonic clock, as Janus does, so wall-clock steps don't reorder them. */
const now = (): number => performance.now();

/**
 * Writes one incoming RTP stream to a Janus `.mjr` file (MjrFormat.ts) without ever blocking or
 * throwing into the packet path: `write` copies the packet into a preallocated chunk (no allocation
 * per packet); full chunks go to the disk one write at a time; when the backlog reaches its bound
 * packets are dropped and counted. Like Janus's recorder, it keeps one continuous RTP context: a new
 * SSRC (after the old one fell silent) is rebased onto the previous sequence numbers and timestamps,
 * so janus-pp-rec sees one stream. `close()` flushes and is idempotent.
 */
export class MjrWriter {
  readonly path: string;
  readonly #file: MjrFile;
  readonly #chunkBytes: number;
  readonly #maxChunks: number;
  readonly #ssrcSwitchMs: number;
  readonly #onError: (error: Error) => void;
  readonly #created: number;
  readonly #timer: NodeJS.Timeout;
  readonly #free: Buffer[] = [];
  readonly #queue: Array<{ buf: Buffer; length: number }> = [];
  #chunks = 0;
  #current: Buffer | undefined;
  #used = 0;
  #writing = false;
  #failed = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  // Stream state: fixed by the first packet.
  #type: MjrMediaType | undefined;
  #clockRate = 0;
  #firstAt = 0;
  #ssrc = -1;
  #lastAt = 0;
  #outSsrc = 0;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq = 0;
  #lastTs = 0;
  readonly stats: MjrWriterStats = { packets: 0, bytes: 0, dropped: 0, skipped: 0, errors: 0, codec: undefined };

  private constructor(path: string, file: MjrFile, options: MjrWriterOptions) {
    this.path = path;
    this.#file = file;
    this.#chunkBytes = Math.max(2048, options.chunkBytes ?? 64 * 1024);
    this.#maxChunks = Math.max(2, Math.ceil((options.maxBacklogBytes ?? 1024 * 1024) / this.#chunkBytes));
    this.#ssrcSwitchMs = options.ssrcSwitchMs ?? 500;
    this.#onError = options.onError ?? (() => undefined);
    this.#created = Date.now() * 1000;
    this.#timer = setInterval(() => this.#flush(), options.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * Creates (or truncates) the file at `path`, its folder included, and writes the magic. `openFile`
   * opens it (default: any path, folders created).
   */
  static async create(path: string, options: MjrWriterOptions = {}, openFile: MjrFileOpener = openAnyPath): Promise<MjrWriter> {
    const file = await openFile(path);
    try {
      const magic = Buffer.from(MJR_MAGIC, 'latin1');
      await file.write(magic, 0, magic.length);
    } catch (error) {
      await file.close();
      throw error;
    }
    return new MjrWriter(path, file, options);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Stores one decrypted RTP packet (`packet[0, length)`) whose payload type maps to `codec` (lower
   * case SDP name). Never throws; returns false when the packet was not stored.
   */
  write(packet: Uint8Array, length: number, codec: string | undefined): boolean {
    if (this.#closing !== undefined || length < 12 || length > MJR_MAX_FRAME_BYTES) return false;
    if (this.#failed) {
      this.stats.dropped++;
      return false;
    }
    const at = now();
    if (this.#type === undefined) {
      const known = mjrCodec(codec);
      if (!known || codec === undefined) {
        this.stats.skipped++;
        return false;
      }
      if (!this.#room(0)) return false;
      this.#start(codec, known.type, known.clockRate, at);
    } else if (codec !== this.stats.codec) {
      this.stats.skipped++;
      return false;
    }
    const ssrc = ((packet[8] as number) << 24 | (packet[9] as number) << 16 | (packet[10] as number) << 8 | (packet[11] as number)) >>> 0;
    const seq = ((packet[2] as number) << 8) | (packet[3] as number);
    const ts = ((packet[4] as number) << 24 | (packet[5] as number) << 16 | (packet[6] as number) << 8 | (packet[7] as number)) >>> 0;
    if (ssrc !== this.#ssrc) {
      // Simulcast layers or RTX share a mid: keep the current source until it falls silent.
      if (this.#ssrc >= 0 && at - this.#lastAt < this.#ssrcSwitchMs) {
        this.stats.skipped++;
        return false;
      }
      this.#rebase(ssrc, seq, ts, at);
    }
    const size = MJR_FRAME_HEADER_BYTES + length;
    if (!this.#room(size)) return false;
    const buf = this.#current as Buffer;
    let o = this.#used;
    buf[o] = 0x4d; // "MEET"
    buf[o + 1] = 0x45;
    buf[o + 2] = 0x45;
    buf[o + 3] = 0x54;
    buf.writeUInt32BE(Math.max(0, Math.floor(at - this.#firstAt)) >>> 0, o + 4);
    buf.writeUInt16BE(length, o + 8);
    o += MJR_FRAME_HEADER_BYTES;
    buf.set(packet.subarray(0, length), o);
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    const outTs = (ts + this.#tsOffset) >>> 0;
    buf.writeUInt16BE(outSeq, o + 2);
    buf.writeUInt32BE(outTs, o + 4);
    buf.writeUInt32BE(this.#outSsrc, o + 8);
    this.#used += size;
    this.#lastAt = at;
    this.#lastSeq = outSeq;
    this.#lastTs = outTs;
    this.stats.packets++;
    this.stats.bytes += length;
    return true;
  }

  /** Flushes what is buffered and closes the file. Idempotent; never rejects (failures are counted and reported). */
  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    clearInterval(this.#timer);
    this.#seal();
    if (this.#writing || this.#queue.length > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    try {
      await this.#file.close();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** The first packet: the info header goes first in the first chunk. */
  #start(codec: string, type: MjrMediaType, clockRate: number, at: number): void {
    this.#type = type;
    this.#clockRate = clockRate;
    this.#firstAt = at;
    this.stats.codec = codec;
    const info = encodeMjrInfo({ t: type, c: codec, s: this.#created, u: Date.now() * 1000 });
    const buf = this.#current as Buffer;
    info.copy(buf, this.#used);
    this.#used += info.length;
  }

  /** A new source SSRC continues the previous one's sequence numbers and timestamps (RFC 3550 §5.1). */
  #rebase(ssrc: number, seq: number, ts: number, at: number): void {
    if (this.#ssrc < 0) {
      this.#outSsrc = ssrc;
      this.#seqOffset = 0;
      this.#tsOffset = 0;
    } else {
      const elapsed = Math.max(1, Math.round(((at - this.#lastAt) * this.#clockRate) / 1000));
      this.#seqOffset = (this.#lastSeq + 1 - seq) & 0xffff;
      this.#tsOffset = (this.#lastTs + elapsed - ts) >>> 0;
    }
    this.#ssrc = ssrc;
  }

  /** Makes room for `size` bytes in the current chunk; false (and counted) when the backlog is full. */
  #room(size: number): boolean {
    if (this.#current !== undefined && this.#used + size + 512 <= this.#current.length) return true;
    if (this.#current !== undefined && this.#used > 0) this.#seal();
    if (this.#current === undefined) {
      const next = this.#free.pop() ?? (this.#chunks < this.#maxChunks ? this.#allocate(size) : undefined);
      if (next === undefined) {
        this.stats.dropped++;
        return false;
      }
      this.#current = next;
      this.#used = 0;
    }
    return true;
  }

  #allocate(size: number): Buffer {
    this.#chunks++;
    return Buffer.allocUnsafe(Math.max(this.#chunkBytes, size + 1024));
  }

  /** Hands the current chunk to the disk queue. */
  #seal(): void {
    const buf = this.#current;
    if (buf === undefined || this.#used === 0) return;
    this.#queue.push({ buf, length: this.#used });
    this.#current = undefined;
    this.#used = 0;
    this.#pump();
  }

  #flush(): void {
    if (this.#used > 0 && !this.#writing) this.#seal();
  }

  /** One disk write at a time, in order. */
  #pump(): void {
    if (this.#writing) return;
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#drained?.();
      this.#drained = undefined;
      return;
    }
    this.#writing = true;
    void this.#writeAll(next.buf, next.length).then((ok) => {
      this.#writing = false;
      this.#free.push(next.buf);
      if (!ok) {
        for (const lost of this.#queue.splice(0)) this.#free.push(lost.buf);
      }
      this.#pump();
    });
  }

  async #writeAll(buf: Buffer, length: number): Promise<boolean> {
    if (this.#failed) return false;
    try {
      let done = 0;
      while (done < length) {
        const { bytesWritten } = await this.#file.write(buf, done, length - done);
        if (bytesWritten <= 0) throw new Error('short write');
        done += bytesWritten;
      }
      return true;
    } catch (error) {
      this.#fail(error as Error);
      return false;
    }
  }

  #fail(error: Error): void {
    this.stats.errors++;
    this.#failed = true;
    try {
      this.#onError(error);
    } catch {
      // The reporter is user code: its failure must not reach the packet path.
    }
  }
}
