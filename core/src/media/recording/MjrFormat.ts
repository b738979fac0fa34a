// The "Meetecho Janus Recordings" (.mjr, version 2) container, as Janus documents it
// (janus.conf.meetecho.com/docs/recordings.html; shared/janus-api.md §7). Written by hand because
// no maintained npm package reads or writes it; keeping the bytes identical to Janus's lets
// janus-pp-rec, mjr2pcap and Janus's Record&Play consume Cardea's recordings unchanged.
//
//   "MJR00002"                          8 bytes, written when the file is created
//   len (uint16 BE) + JSON info header  written with the first frame
//   then per frame: "MEET" + uint32 BE ms since the first frame + uint16 BE length + RTP packet
//
// All integers are big-endian. Each file holds one stream (audio, video or data).

/** The file magic of version 2. */
export const MJR_MAGIC = 'MJR00002';
/** The per-frame marker. */
export const MJR_FRAME_MARKER = 'MEET';
/** Bytes before each frame's packet: marker (4), time (4), length (2). */
export const MJR_FRAME_HEADER_BYTES = 10;
/** Largest packet a frame can hold (its length is 16 bits). */
export const MJR_MAX_FRAME_BYTES = 0xffff;

/** Media type letters of the info header's `t`. */
export type MjrMediaType = 'a' | 'v' | 'd';

/** The JSON info header (single-letter keys, as Janus writes them). */
export interface MjrInfo {
  /** Type: audio, video or data. */
  t: MjrMediaType;
  /** Codec, Janus's name: `opus`, `pcmu`, `vp8`, `h264`, … */
  c: string;
  /** fmtp line of the codec, optional. */
  f?: string;
  /** RTP header extensions by id, optional. */
  x?: Record<string, string>;
  /** Creation time, µs since the epoch. */
  s: number;
  /** Time the first frame was written, µs since the epoch. */
  u: number;
  /** True when the media is end-to-end encrypted (not decodable by the post-processor). */
  e?: boolean;
}

/** Codecs Janus's recorder accepts, with their media type and RTP clock rate. */
const CODECS: ReadonlyMap<string, { type: MjrMediaType; clockRate: number }> = new Map([
  ['opus', { type: 'a', clockRate: 48000 }],
  ['multiopus', { type: 'a', clockRate: 48000 }],
  ['pcmu', { type: 'a', clockRate: 8000 }],
  ['pcma', { type: 'a', clockRate: 8000 }],
  ['g722', { type: 'a', clockRate: 8000 }],
  ['vp8', { type: 'v', clockRate: 90000 }],
  ['vp9', { type: 'v', clockRate: 90000 }],
  ['h264', { type: 'v', clockRate: 90000 }],
  ['av1', { type: 'v', clockRate: 90000 }],
  ['h265', { type: 'v', clockRate: 90000 }],
]);

/** The media type and clock rate of a codec (lower-case SDP name), or undefined when .mjr cannot hold it (rtx, red, …). */
export function mjrCodec(codec: string | undefined): { type: MjrMediaType; clockRate: number } | undefined {
  return codec === undefined ? undefined : CODECS.get(codec);
}

/** The bytes of the info header block: uint16 length + JSON, keys in Janus's order. */
export function encodeMjrInfo(info: MjrInfo): Buffer {
  const ordered: Record<string, unknown> = { t: info.t, c: info.c };
  if (info.f !== undefined) ordered.f = info.f;
  if (info.x !== undefined) ordered.x = info.x;
  ordered.s = info.s;
  ordered.u = info.u;
  if (info.e) ordered.e = true;
  const json = Buffer.from(JSON.stringify(ordered), 'utf8');
  const out = Buffer.allocUnsafe(2 + json.length);
  out.writeUInt16BE(json.length, 0);
  json.copy(out, 2);
  return out;
}

/** One frame read back from a recording. */
export interface MjrFrame {
  /** Milliseconds since the first frame. */
  time: number;
  /** The stored packet (RTP header and payload). */
  packet: Buffer;
}

/** A parsed recording. */
export interface MjrRecording {
  info: MjrInfo;
  frames: MjrFrame[];
  /** Bytes after the last complete frame (a recording cut mid-frame). */
  trailingBytes: number;
}

/** A file that is not a version-2 .mjr recording. */
export class MjrFormatError extends Error {
  override name = 'MjrFormatError';
}

/**
 * Parses a whole version-2 recording (for tests, tools and a future Record&Play). A truncated last
 * frame is reported in `trailingBytes`, not thrown, as janus-pp-rec tolerates it.
 */
export function parseMjr(bytes: Uint8Array): MjrRecording {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf.toString('latin1', 0, 8) !== MJR_MAGIC) throw new MjrFormatError('not an MJR00002 file');
  const infoLength = buf.readUInt16BE(8);
  if (buf.length < 10 + infoLength) throw new MjrFormatError('truncated info header');
  let info: MjrInfo;
  try {
    info = JSON.parse(buf.toString('utf8', 10, 10 + infoLength)) as MjrInfo;
  } catch (error) {
    throw new MjrFormatError(`invalid info header: ${(error as Error).message}`);
  }
  const frames: MjrFrame[] = [];
  let at = 10 + infoLength;
  while (at + MJR_FRAME_HEADER_BYTES <= buf.length) {
    if (buf.toString('latin1', at, at + 4) !== MJR_FRAME_MARKER) throw new MjrFormatError(`no frame marker at offset ${at}`);
    const time = buf.readUInt32BE(at + 4);
    const length = buf.readUInt16BE(at + 8);
    if (at + MJR_FRAME_HEADER_BYTES + length > buf.length) break;
    frames.push({ time, packet: buf.subarray(at + MJR_FRAME_HEADER_BYTES, at + MJR_FRAME_HEADER_BYTES + length) });
    at += MJR_FRAME_HEADER_BYTES + length;
  }
  return { info, frames, trailingBytes: buf.length - at };
}
