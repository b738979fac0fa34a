// Ogg Opus files (RFC 7845 on the Ogg framing of RFC 3533): the writer records a mixer's output,
// the reader loads announcements. Hand-written because the format is small (one page layout, one
// CRC, two header packets) and the packages on npm either decode too (pulling in a second libopus)
// or only parse; a mono, one-stream file needs neither.
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Opus granule positions always count 48 kHz samples (RFC 7845 §4). */
const GRANULE_RATE = 48000;
const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;
/** A page is flushed after this many packets (~1 s of 20 ms frames), or when its lacing is full. */
const PACKETS_PER_PAGE = 50;

/** The Ogg CRC-32: polynomial 0x04c11db7, MSB first, no reflection, init 0, no final xor (RFC 3533 §6). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (bytes[i] as number)) & 0xff] as number)) >>> 0;
  return crc;
}

/** Builds one page holding whole packets (RFC 3533 §6 header, lacing values per packet). */
function page(flags: number, granule: bigint, serial: number, sequence: number, packets: readonly Uint8Array[]): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const bodyLength = packets.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(27 + lacing.length + bodyLength);
  out.write('OggS', 0, 'latin1');
  out[4] = 0;
  out[5] = flags;
  out.writeBigInt64LE(granule, 6);
  out.writeUInt32LE(serial >>> 0, 14);
  out.writeUInt32LE(sequence >>> 0, 18);
  out[26] = lacing.length;
  for (let i = 0; i < lacing.length; i++) out[27 + i] = lacing[i] as number;
  let at = 27 + lacing.length;
  for (const p of packets) {
    out.set(p, at);
    at += p.length;
  }
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

/** Lacing segments a packet needs. */
const segments = (length: number): number => Math.floor(length / 255) + 1;

/** RFC 7845 §5.1: the identification header, mono, channel mapping family 0. */
function opusHead(preSkip: number, inputRate: number): Uint8Array {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = 1;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(inputRate, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0;
  return head;
}

/** RFC 7845 §5.2: the comment header. */
function opusTags(vendor: string, comments: readonly string[]): Uint8Array {
  const parts = [Buffer.from('OpusTags', 'latin1'), u32(Buffer.byteLength(vendor)), Buffer.from(vendor), u32(comments.length)];
  for (const c of comments) parts.push(u32(Buffer.byteLength(c)), Buffer.from(c));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export interface OggOpusWriterOptions {
  /** The rate the audio was encoded at (OpusHead "input sample rate", informational). */
  sampleRate: number;
  /** Encoder delay in 48 kHz samples to skip at playback (RFC 7845 §4.2). */
  preSkip: number;
  /** Samples per packet at 48 kHz (default 960: 20 ms). */
  packetSamples?: number;
  comments?: string[];
  /** The file, already open for writing (it is closed with the writer); `path` then only names it. */
  fd?: number;
}

/** Writes a mono Ogg Opus file packet by packet; close() ends the stream (EOS page). */
export class OggOpusWriter {
  readonly path: string;
  readonly #stream: WriteStream;
  readonly #serial = Math.floor(Math.random() * 0x100000000);
  readonly #packetSamples: number;
  #sequence = 0;
  #granule = 0n;
  #pending: Uint8Array[] = [];
  #pendingSegments = 0;
  #packets = 0;
  #closed: Promise<void> | undefined;
  #error: Error | undefined;

  constructor(path: string, options: OggOpusWriterOptions) {
    this.path = path;
    this.#packetSamples = options.packetSamples ?? 960;
    this.#stream = options.fd !== undefined ? createWriteStream(path, { fd: options.fd }) : createWriteStream(path);
    this.#stream.on('error', (error) => {
      this.#error = error;
    });
    this.#stream.write(page(FLAG_BOS, 0n, this.#serial, this.#sequence++, [opusHead(options.preSkip, options.sampleRate)]));
    this.#stream.write(page(0, 0n, this.#serial, this.#sequence++, [opusTags('Cardea AudioBridge (libopus)', options.comments ?? [])]));
  }

  /** Creates the file and resolves once it is open; rejects when it cannot be created. */
  static async open(path: string, options: OggOpusWriterOptions): Promise<OggOpusWriter> {
    const writer = new OggOpusWriter(path, options);
    if (options.fd !== undefined) return writer; // already open: no 'ready' comes
    await new Promise<void>((resolve, reject) => {
      writer.#stream.once('ready', () => resolve());
      writer.#stream.once('error', reject);
    });
    return writer;
  }

  /** Packets written so far. */
  get packets(): number {
    return this.#packets;
  }

  /** The first write error, if the file could not be written. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Appends one packet (copied: the caller may reuse its buffer). */
  write(packet: Uint8Array): void {
    if (this.#closed || packet.length === 0) return;
    // A full page is flushed only when the next packet arrives, so the last page always holds
    // packets and can carry the end-of-stream flag (an empty EOS page confuses players' trimming).
    if (this.#pending.length >= PACKETS_PER_PAGE || this.#pendingSegments + segments(packet.length) > 255) this.#flush(0);
    this.#pending.push(Uint8Array.from(packet));
    this.#pendingSegments += segments(packet.length);
    this.#packets++;
    this.#granule += BigInt(this.#packetSamples);
  }

  /** Flushes the last page with the end-of-stream flag and closes the file. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#flush(FLAG_EOS, true);
      this.#stream.end(() => resolve());
    });
    return this.#closed;
  }

  #flush(flags: number, force = false): void {
    if (this.#pending.length === 0 && !force) return;
    this.#stream.write(page(flags, this.#granule, this.#serial, this.#sequence++, this.#pending));
    this.#pending = [];
    this.#pendingSegments = 0;
  }
}

/** What an Ogg Opus file holds, as far as a mono mixer needs it. */
export interface OggOpusFile {
  channels: number;
  /** Samples at 48 kHz to drop at the start (RFC 7845 §4.2). */
  preSkip: number;
  inputSampleRate: number;
  /** Audio packets in order (the two header packets excluded). */
  packets: Uint8Array[];
  /** Granule of the last page: the stream's length in 48 kHz samples, pre-skip included. */
  lastGranule: number;
}

/** A file that is not Ogg Opus, or is damaged. */
export class OggOpusFormatError extends Error {
  override name = 'OggOpusFormatError';
}

/** Parses Ogg pages (checking each CRC) and reassembles the first logical stream's packets. */
export function parseOggOpus(bytes: Uint8Array): OggOpusFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: Uint8Array[] = [];
  let partial: Buffer[] = [];
  let serial: number | undefined;
  let lastGranule = 0;
  for (let at = 0; at < buf.length;) {
    if (buf.length - at < 27 || buf.toString('latin1', at, at + 4) !== 'OggS') throw new OggOpusFormatError(`no Ogg page at byte ${at}`);
    const count = buf[at + 26] as number;
    const lacing = buf.subarray(at + 27, at + 27 + count);
    const bodyLength = lacing.reduce((n, v) => n + v, 0);
    const end = at + 27 + count + bodyLength;
    if (end > buf.length) throw new OggOpusFormatError('truncated Ogg page');
    const pageBytes = Buffer.from(buf.subarray(at, end));
    const crc = pageBytes.readUInt32LE(22);
    pageBytes.writeUInt32LE(0, 22);
    if (oggCrc(pageBytes) !== crc) throw new OggOpusFormatError(`bad CRC in the Ogg page at byte ${at}`);
    const pageSerial = buf.readUInt32LE(at + 14);
    serial ??= pageSerial;
    if (pageSerial === serial) {
      const granule = Number(buf.readBigInt64LE(at + 6));
      if (granule >= 0) lastGranule = granule;
      let offset = at + 27 + count;
      for (const v of lacing) {
        partial.push(buf.subarray(offset, offset + v));
        offset += v;
        if (v < 255) {
          packets.push(Buffer.concat(partial));
          partial = [];
        }
      }
    }
    at = end;
  }
  const head = packets[0];
  if (!head || head.length < 19 || Buffer.from(head).toString('latin1', 0, 8) !== 'OpusHead')
    throw new OggOpusFormatError('not an Ogg Opus file (no OpusHead)');
  const headBuf = Buffer.from(head);
  const tags = packets[1];
  if (!tags || Buffer.from(tags).toString('latin1', 0, 8) !== 'OpusTags') throw new OggOpusFormatError('no OpusTags header');
  return {
    channels: headBuf[9] as number,
    preSkip: headBuf.readUInt16LE(10),
    inputSampleRate: headBuf.readUInt32LE(12),
    packets: packets.slice(2),
    lastGranule,
  };
}

/** Reads and parses an Ogg Opus file. */
export async function readOggOpus(path: string): Promise<OggOpusFile> {
  return parseOggOpus(await readFile(path));
}

export { GRANULE_RATE };
