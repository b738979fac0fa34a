/**
 * RTCP parsing and building for the fast path (RFC 3550 §6.4 SR/RR, RFC 4585 §6.2.1 generic NACK,
 * §6.3.1 PLI, RFC 5104 §4.3.1 FIR, draft-alvestrand-rmcat-remb REMB). Parsing reports through a
 * visitor so nothing is allocated for packets nobody cares about.
 */

/** What a compound RTCP packet said, delivered per item. */
export interface RtcpVisitor {
  /** PLI or FIR asking for a keyframe of `mediaSsrc`. */
  keyframe?(mediaSsrc: number): void;
  /** Generic NACK: `pid` and the 16-bit `blp` of following lost packets, for `mediaSsrc`. */
  nack?(mediaSsrc: number, pid: number, blp: number): void;
  /** REMB: the receiver's estimate in bits per second. */
  remb?(bitsPerSecond: number): void;
  /** A sender report of `ssrc` (its NTP time's middle 32 bits, for the LSR of our RR). */
  senderReport?(ssrc: number, ntpMiddle: number): void;
  /** A report block about a stream we send (`ssrc`), with the fraction lost (0–255). */
  reportBlock?(ssrc: number, fractionLost: number, jitter: number): void;
}

const u32 = (b: Uint8Array, o: number): number => (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
const u16 = (b: Uint8Array, o: number): number => ((b[o] as number) << 8) | (b[o + 1] as number);

/** Walks a compound RTCP packet; returns false (and stops) at the first malformed item. */
export function parseRtcp(buf: Uint8Array, length: number, visitor: RtcpVisitor): boolean {
  let offset = 0;
  while (offset + 4 <= length) {
    const b0 = buf[offset] as number;
    if (b0 >> 6 !== 2) return false;
    const count = b0 & 0x1f;
    const pt = buf[offset + 1] as number;
    const size = (u16(buf, offset + 2) + 1) * 4;
    if (offset + size > length) return false;
    const end = offset + size;
    switch (pt) {
      case 200: {
        // SR: sender SSRC, NTP (8), RTP ts, packets, octets, then report blocks.
        if (size < 28) return false;
        visitor.senderReport?.(u32(buf, offset + 4), u32(buf, offset + 10));
        reportBlocks(buf, offset + 28, end, count, visitor);
        break;
      }
      case 201:
        reportBlocks(buf, offset + 8, end, count, visitor);
        break;
      case 205:
        if (count === 1 && size >= 16) {
          const media = u32(buf, offset + 8);
          for (let i = offset + 12; i + 4 <= end; i += 4) visitor.nack?.(media, u16(buf, i), u16(buf, i + 2));
        }
        break;
      case 206:
        if (size < 12) return false;
        if (count === 1) visitor.keyframe?.(u32(buf, offset + 8));
        else if (count === 4) for (let i = offset + 12; i + 8 <= end; i += 8) visitor.keyframe?.(u32(buf, i));
        else if (count === 15 && size >= 20 && buf[offset + 12] === 0x52 && buf[offset + 13] === 0x45 && buf[offset + 14] === 0x4d && buf[offset + 15] === 0x42) {
          const exp = (buf[offset + 17] as number) >> 2;
          const mantissa = (((buf[offset + 17] as number) & 0x03) << 16) | u16(buf, offset + 18);
          visitor.remb?.(mantissa * 2 ** exp);
        }
        break;
      default:
        break; // SDES, BYE, APP, XR, transport-cc: not used by the fast path
    }
    offset = end;
  }
  return offset === length;
}

function reportBlocks(buf: Uint8Array, start: number, end: number, count: number, visitor: RtcpVisitor): void {
  for (let i = 0, o = start; i < count && o + 24 <= end; i++, o += 24) visitor.reportBlock?.(u32(buf, o), buf[o + 4] as number, u32(buf, o + 12));
}

/** A report block's values (RFC 3550 §6.4.1). */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  highestSeq: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

/** Writes an RR with up to 31 blocks into `out` at 0; returns its length. */
export function writeReceiverReport(out: Uint8Array, senderSsrc: number, blocks: readonly ReportBlock[]): number {
  const n = Math.min(blocks.length, 31);
  const length = 8 + n * 24;
  const view = new DataView(out.buffer, out.byteOffset, length);
  view.setUint8(0, 0x80 | n);
  view.setUint8(1, 201);
  view.setUint16(2, length / 4 - 1);
  view.setUint32(4, senderSsrc >>> 0);
  for (let i = 0; i < n; i++) writeBlock(view, 8 + i * 24, blocks[i] as ReportBlock);
  return length;
}

/** Writes an SR (no report blocks) into `out` at 0; returns its length. */
export function writeSenderReport(out: Uint8Array, ssrc: number, ntp: bigint, rtpTs: number, packets: number, octets: number): number {
  const view = new DataView(out.buffer, out.byteOffset, 28);
  view.setUint8(0, 0x80);
  view.setUint8(1, 200);
  view.setUint16(2, 6);
  view.setUint32(4, ssrc >>> 0);
  view.setBigUint64(8, ntp);
  view.setUint32(16, rtpTs >>> 0);
  view.setUint32(20, packets >>> 0);
  view.setUint32(24, octets >>> 0);
  return 28;
}

/** Writes a PLI for `mediaSsrc` into `out` at `at`; returns the new end. */
export function writePli(out: Uint8Array, at: number, senderSsrc: number, mediaSsrc: number): number {
  const view = new DataView(out.buffer, out.byteOffset + at, 12);
  view.setUint8(0, 0x81);
  view.setUint8(1, 206);
  view.setUint16(2, 2);
  view.setUint32(4, senderSsrc >>> 0);
  view.setUint32(8, mediaSsrc >>> 0);
  return at + 12;
}

/** Writes a REMB for `ssrcs` into `out` at `at`; returns the new end. */
export function writeRemb(out: Uint8Array, at: number, senderSsrc: number, bitsPerSecond: number, ssrcs: readonly number[]): number {
  const n = Math.min(ssrcs.length, 255);
  const length = 20 + n * 4;
  const view = new DataView(out.buffer, out.byteOffset + at, length);
  let exp = 0;
  let mantissa = Math.max(0, Math.floor(bitsPerSecond));
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  view.setUint8(0, 0x8f);
  view.setUint8(1, 206);
  view.setUint16(2, length / 4 - 1);
  view.setUint32(4, senderSsrc >>> 0);
  view.setUint32(8, 0);
  view.setUint32(12, 0x52454d42); // "REMB"
  view.setUint8(16, n);
  view.setUint8(17, (exp << 2) | (mantissa >> 16));
  view.setUint16(18, mantissa & 0xffff);
  for (let i = 0; i < n; i++) view.setUint32(20 + i * 4, (ssrcs[i] as number) >>> 0);
  return at + length;
}

function writeBlock(view: DataView, at: number, b: ReportBlock): void {
  view.setUint32(at, b.ssrc >>> 0);
  view.setUint8(at + 4, b.fractionLost & 0xff);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, b.cumulativeLost));
  view.setUint8(at + 5, (lost >> 16) & 0xff);
  view.setUint16(at + 6, lost & 0xffff);
  view.setUint32(at + 8, b.highestSeq >>> 0);
  view.setUint32(at + 12, b.jitter >>> 0);
  view.setUint32(at + 16, b.lsr >>> 0);
  view.setUint32(at + 20, b.dlsr >>> 0);
}

/**
 * Writes a generic NACK (RFC 4585 §6.2.1) for `count` packets lost from `firstSeq` on into `out` at
 * `at` (at most 17 per FCI entry: the PID and 16 BLP bits); returns the new end.
 */
export function writeNack(out: Uint8Array, at: number, senderSsrc: number, mediaSsrc: number, firstSeq: number, count: number): number {
  const entries = Math.ceil(count / 17);
  const length = 12 + entries * 4;
  const view = new DataView(out.buffer, out.byteOffset + at, length);
  view.setUint8(0, 0x81);
  view.setUint8(1, 205);
  view.setUint16(2, length / 4 - 1);
  view.setUint32(4, senderSsrc >>> 0);
  view.setUint32(8, mediaSsrc >>> 0);
  for (let e = 0; e < entries; e++) {
    const pid = (firstSeq + e * 17) & 0xffff;
    let blp = 0;
    for (let bit = 0; bit < 16 && e * 17 + 1 + bit < count; bit++) blp |= 1 << bit;
    view.setUint16(12 + e * 4, pid);
    view.setUint16(14 + e * 4, blp);
  }
  return at + length;
}

/**
 * Writes an SDES packet with one chunk, `ssrc`'s CNAME (RFC 3550 §6.5.1; every compound RTCP packet
 * carries one, §6.1), into `out` at `at`; returns the new end. `cname` is at most 255 bytes.
 */
export function writeSdesCname(out: Uint8Array, at: number, ssrc: number, cname: Uint8Array): number {
  const textLength = Math.min(cname.length, 255);
  // Chunk: SSRC, CNAME item (type 1, length, text), then at least one null octet up to a 32-bit boundary.
  const chunk = (4 + 2 + textLength + 4) & ~3;
  const length = 4 + chunk;
  const view = new DataView(out.buffer, out.byteOffset + at, length);
  view.setUint8(0, 0x81);
  view.setUint8(1, 202);
  view.setUint16(2, length / 4 - 1);
  view.setUint32(4, ssrc >>> 0);
  view.setUint8(8, 1);
  view.setUint8(9, textLength);
  out.set(cname.subarray(0, textLength), at + 10);
  out.fill(0, at + 10 + textLength, at + length);
  return at + length;
}
