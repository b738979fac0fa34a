/**
 * True when an RTP payload starts a VP8 keyframe (RFC 7741 §4.2–4.3): the payload descriptor's
 * S bit is set with partition index 0, and the VP8 payload header's P bit (inverse key frame flag)
 * is 0. Hand-written: a few bit tests per packet, no library does just this.
 */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  if (payload.length < 2) return false;
  const b0 = payload[0] as number;
  const start = (b0 & 0x10) !== 0;
  const partition = b0 & 0x07;
  if (!start || partition !== 0) return false;
  let offset = 1;
  if (b0 & 0x80) {
    const x = payload[offset++];
    if (x === undefined) return false;
    if (x & 0x80) {
      const pid = payload[offset];
      if (pid === undefined) return false;
      offset += pid & 0x80 ? 2 : 1;
    }
    if (x & 0x40) offset++;
    if (x & 0x30) offset++;
  }
  const header = payload[offset];
  return header !== undefined && (header & 0x01) === 0;
}

/**
 * The fields of one VP8 payload descriptor (RFC 7741 §4.2), parsed in place into a reused object so
 * the per-packet path allocates nothing. Offsets are absolute in the parsed buffer (-1: absent).
 */
export class Vp8Descriptor {
  /** S bit: the packet starts a VP8 partition. */
  start = false;
  /** PID: partition index. */
  partition = 0;
  /** Start of partition 0 of a key frame (P bit of the VP8 payload header is 0, RFC 7741 §4.3). */
  keyframe = false;
  /** Picture ID (M=0: 7 bits, M=1: 15 bits), -1 when absent. */
  pictureId = -1;
  /** 7 or 15 when present, else 0. */
  pictureIdBits = 0;
  pictureIdAt = -1;
  /** TL0PICIDX, -1 when absent. */
  tl0PicIdx = -1;
  tl0PicIdxAt = -1;
  /** TID (temporal layer index), -1 when absent. */
  tid = -1;
  /** Y bit: layer sync — the frame depends only on TL0 frames (a safe point to switch up). */
  layerSync = false;
  /** KEYIDX, -1 when absent. */
  keyIdx = -1;

  /** Parses the descriptor at `buf[at..end)`; false (fields undefined) for a truncated one. */
  parse(buf: Uint8Array, at: number, end: number): boolean {
    this.pictureId = -1;
    this.pictureIdBits = 0;
    this.pictureIdAt = -1;
    this.tl0PicIdx = -1;
    this.tl0PicIdxAt = -1;
    this.tid = -1;
    this.layerSync = false;
    this.keyIdx = -1;
    this.keyframe = false;
    if (at >= end) return false;
    const b0 = buf[at] as number;
    this.start = (b0 & 0x10) !== 0;
    this.partition = b0 & 0x07;
    let o = at + 1;
    if (b0 & 0x80) {
      if (o >= end) return false;
      const x = buf[o++] as number;
      if (x & 0x80) {
        if (o >= end) return false;
        const p0 = buf[o] as number;
        this.pictureIdAt = o;
        if (p0 & 0x80) {
          if (o + 1 >= end) return false;
          this.pictureId = ((p0 & 0x7f) << 8) | (buf[o + 1] as number);
          this.pictureIdBits = 15;
          o += 2;
        } else {
          this.pictureId = p0;
          this.pictureIdBits = 7;
          o += 1;
        }
      }
      if (x & 0x40) {
        if (o >= end) return false;
        this.tl0PicIdxAt = o;
        this.tl0PicIdx = buf[o++] as number;
      }
      if (x & 0x30) {
        if (o >= end) return false;
        const tk = buf[o++] as number;
        if (x & 0x20) {
          this.tid = tk >> 6;
          this.layerSync = (tk & 0x20) !== 0;
        }
        if (x & 0x10) this.keyIdx = tk & 0x1f;
      }
    }
    if (this.start && this.partition === 0) {
      if (o >= end) return false;
      this.keyframe = ((buf[o] as number) & 0x01) === 0;
    }
    return true;
  }
}

/** Writes a picture ID in the width the descriptor parsed (RFC 7741 §4.2: M bit kept). */
export function writeVp8PictureId(buf: Uint8Array, d: Vp8Descriptor, pictureId: number): void {
  if (d.pictureIdAt < 0) return;
  if (d.pictureIdBits === 15) {
    buf[d.pictureIdAt] = 0x80 | ((pictureId >> 8) & 0x7f);
    buf[d.pictureIdAt + 1] = pictureId & 0xff;
  } else buf[d.pictureIdAt] = pictureId & 0x7f;
}

/** Writes TL0PICIDX where the descriptor has one. */
export function writeVp8Tl0PicIdx(buf: Uint8Array, d: Vp8Descriptor, tl0PicIdx: number): void {
  if (d.tl0PicIdxAt >= 0) buf[d.tl0PicIdxAt] = tl0PicIdx & 0xff;
}
