/**
 * RTP retransmission payload format (RFC 4588 §4): an RTX packet carries the original packet's
 * payload behind a 2-byte original sequence number (OSN), on its own SSRC, payload type and sequence
 * space, with the original timestamp. Both directions work in place on a caller's buffer — the
 * fast path must not allocate per packet, and werift's wrapRtx/unwrapRtx build RtpPacket objects.
 */

/** Length of the RTP padding at the end of buf[0..length) (RFC 3550 §5.1 P bit), or -1 if invalid. */
function paddingOf(buf: Uint8Array, length: number, payloadAt: number): number {
  if (((buf[0] as number) & 0x20) === 0) return 0;
  const pad = buf[length - 1] as number;
  return pad === 0 || payloadAt + pad > length ? -1 : pad;
}

/**
 * Turns the RTP packet in buf[0..length) (payload at `payloadAt`) into its RTX form in place: the
 * padding is dropped, the OSN inserted before the payload, and sequence number, SSRC and payload type
 * replaced; the timestamp and header (extensions included) are kept. Needs length + 2 bytes of room.
 * Returns the new length, or -1 for a malformed packet.
 */
export function wrapRtx(buf: Uint8Array, length: number, payloadAt: number, rtxSeq: number, rtxSsrc: number, rtxPayloadType: number): number {
  if (payloadAt < 12 || payloadAt > length || length + 2 > buf.length) return -1;
  const pad = paddingOf(buf, length, payloadAt);
  if (pad < 0) return -1;
  const end = length - pad;
  const osn = ((buf[2] as number) << 8) | (buf[3] as number);
  buf.copyWithin(payloadAt + 2, payloadAt, end);
  buf[payloadAt] = osn >> 8;
  buf[payloadAt + 1] = osn & 0xff;
  buf[0] = (buf[0] as number) & ~0x20;
  buf[1] = ((buf[1] as number) & 0x80) | (rtxPayloadType & 0x7f);
  buf[2] = (rtxSeq >> 8) & 0xff;
  buf[3] = rtxSeq & 0xff;
  writeSsrc(buf, rtxSsrc);
  return end + 2;
}

/**
 * Restores the original packet from the RTX packet in buf[0..length) in place: OSN → sequence
 * number, `ssrc` and `payloadType` of the repaired stream, payload moved back over the OSN (padding
 * dropped). Returns the new length, or -1 when there is no OSN (Chrome's padding-only probes on the
 * RTX SSRC) or the packet is malformed.
 */
export function unwrapRtx(buf: Uint8Array, length: number, payloadAt: number, ssrc: number, payloadType: number): number {
  if (payloadAt < 12 || payloadAt > length) return -1;
  const pad = paddingOf(buf, length, payloadAt);
  if (pad < 0) return -1;
  const end = length - pad;
  if (end - payloadAt < 2) return -1;
  buf[2] = buf[payloadAt] as number;
  buf[3] = buf[payloadAt + 1] as number;
  buf.copyWithin(payloadAt, payloadAt + 2, end);
  buf[0] = (buf[0] as number) & ~0x20;
  buf[1] = ((buf[1] as number) & 0x80) | (payloadType & 0x7f);
  writeSsrc(buf, ssrc);
  return end - 2;
}

function writeSsrc(buf: Uint8Array, ssrc: number): void {
  buf[8] = (ssrc >>> 24) & 0xff;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}
