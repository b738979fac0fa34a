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
