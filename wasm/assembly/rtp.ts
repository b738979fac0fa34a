// RTP fixed header (RFC 3550 §5.1) checks and per-subscriber rewriting.
import { ERR_BAD_HEADER, ERR_BAD_VERSION, ERR_TOO_SHORT } from './layout';

/** Length of the RTP header at `pkt` (fixed part, CSRCs, extension), or a negative error code. */
export function rtpHeaderLength(pkt: usize, len: u32, trailer: u32): i32 {
  if (len < 12 + trailer) return ERR_TOO_SHORT;
  const b0 = <u32>load<u8>(pkt);
  if (b0 >>> 6 != 2) return ERR_BAD_VERSION;
  let hdr: u32 = 12 + ((b0 & 0x0f) << 2);
  if ((b0 & 0x10) != 0) {
    if (hdr + 4 > len - trailer) return ERR_BAD_HEADER;
    hdr += 4 + ((<u32>bswap<u16>(load<u16>(pkt + hdr, 2))) << 2);
  }
  if (hdr > len - trailer) return ERR_BAD_HEADER;
  return <i32>hdr;
}

/** Length of the RTCP compound packet's first header check (RFC 3550 §6.4.1), or an error. */
export function rtcpCheck(pkt: usize, len: u32, trailer: u32): i32 {
  if (len < 8 + trailer) return ERR_TOO_SHORT;
  const b0 = <u32>load<u8>(pkt);
  if (b0 >>> 6 != 2) return ERR_BAD_VERSION;
  const pt = <u32>load<u8>(pkt, 1);
  if (pt < 192 || pt > 223) return ERR_BAD_HEADER;
  return 8;
}
