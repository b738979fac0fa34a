/**
 * Allocation-free reads of RTP headers in a Buffer (RFC 3550 §5.1; header extensions RFC 8285).
 * Hand-written because the fast path must not build objects per packet (werift's RtpPacket costs
 * ~11% of its media path, shared/research/werift.md).
 */

/** Byte offset of the payload, or -1 for a malformed header. */
export function rtpPayloadOffset(buf: Uint8Array, length: number): number {
  if (length < 12) return -1;
  const b0 = buf[0] as number;
  if (b0 >> 6 !== 2) return -1;
  let offset = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > length) return -1;
    const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
    offset += 4 + words * 4;
  }
  if (offset > length) return -1;
  return offset;
}

export const rtpSsrc = (buf: Uint8Array): number => (((buf[8] as number) << 24) | ((buf[9] as number) << 16) | ((buf[10] as number) << 8) | (buf[11] as number)) >>> 0;
export const rtpSequence = (buf: Uint8Array): number => ((buf[2] as number) << 8) | (buf[3] as number);
export const rtpTimestamp = (buf: Uint8Array): number => (((buf[4] as number) << 24) | ((buf[5] as number) << 16) | ((buf[6] as number) << 8) | (buf[7] as number)) >>> 0;
export const rtpPayloadType = (buf: Uint8Array): number => (buf[1] as number) & 0x7f;

/** Length of the last extension element found by {@link findExtension}. */
export let extensionLength = 0;

/**
 * Finds header extension `id` (one-byte 0xBEDE or two-byte 0x100x form) and returns the offset of
 * its data (its length in {@link extensionLength}), or -1.
 */
export function findExtension(buf: Uint8Array, length: number, id: number): number {
  const b0 = buf[0] as number;
  if (!(b0 & 0x10) || id <= 0) return -1;
  const start = 12 + (b0 & 0x0f) * 4;
  if (start + 4 > length) return -1;
  const profile = ((buf[start] as number) << 8) | (buf[start + 1] as number);
  const end = start + 4 + (((buf[start + 2] as number) << 8) | (buf[start + 3] as number)) * 4;
  if (end > length) return -1;
  let i = start + 4;
  if (profile === 0xbede) {
    while (i < end) {
      const b = buf[i] as number;
      if (b === 0) {
        i++;
        continue;
      }
      const elementId = b >> 4;
      const len = (b & 0x0f) + 1;
      if (elementId === 15) return -1;
      if (elementId === id) {
        extensionLength = len;
        return i + 1 <= end ? i + 1 : -1;
      }
      i += 1 + len;
    }
    return -1;
  }
  if ((profile & 0xfff0) === 0x1000) {
    while (i + 1 < end) {
      const elementId = buf[i] as number;
      if (elementId === 0) {
        i++;
        continue;
      }
      const len = buf[i + 1] as number;
      if (elementId === id) {
        extensionLength = len;
        return i + 2;
      }
      i += 2 + len;
    }
  }
  return -1;
}

/** Reads a string extension (mid, rid) — allocates, so call it only for packets of unknown SSRCs. */
export function readStringExtension(buf: Uint8Array, length: number, id: number): string | undefined {
  const at = findExtension(buf, length, id);
  if (at < 0) return undefined;
  return Buffer.from(buf.buffer, buf.byteOffset + at, extensionLength).toString('ascii');
}

/** The RFC 6464 audio level (−dBov, 0…127), or -1 when absent. */
export function readAudioLevel(buf: Uint8Array, length: number, id: number): number {
  const at = findExtension(buf, length, id);
  return at < 0 ? -1 : (buf[at] as number) & 0x7f;
}

/** True for RTCP in a muxed stream (RFC 5761 §4: payload types 192–223 in the second byte). */
export function isRtcp(buf: Uint8Array): boolean {
  const pt = buf[1] as number;
  return pt >= 192 && pt <= 223;
}

/** True for RTP or RTCP by the first byte (RFC 7983: 128–191). */
export function isRtpOrRtcp(buf: Uint8Array): boolean {
  const b = buf[0] as number;
  return b >= 128 && b <= 191;
}
