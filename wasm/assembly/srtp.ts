// SRTP (RFC 3711) for AES_CM_128_HMAC_SHA1_80: packet index estimation (§3.3.1, Appendix A),
// replay window (§3.3.2), AES-CM IV (§4.1.1) and the HMAC-SHA1-80 tag (§4.2); and
// AEAD_AES_128_GCM (RFC 7714 §8: IV §8.1, the whole RTP header as AAD, 16-byte tag).
import { aesCtrXor } from './aes';
import { gcm } from './gcm';
import { hmacSha1 } from './sha1';
import {
  C_FLAGS, C_GHASH, C_HI, C_HO, C_PROFILE, C_REPLAY_MAP, C_REPLAY_TOP, C_RK, C_ROC, C_S_L, C_SALT,
  ERR_AUTH, ERR_REPLAY, F_HAS_INDEX, F_HAS_REPLAY, GCM_TAG_LEN, PROFILE_AEAD_AES_128_GCM, SCRATCH, TAG_LEN,
} from './layout';

/** Estimated ROC of a packet with sequence number `seq` (RFC 3711 Appendix A); -1 when before ROC 0. */
@inline export function estimateRoc(ctx: usize, seq: u32): i64 {
  if ((load<u32>(ctx + C_FLAGS) & F_HAS_INDEX) == 0) return 0;
  const roc: i64 = <i64>load<u32>(ctx + C_ROC);
  const sl = load<u32>(ctx + C_S_L);
  if (sl < 32768) return seq > sl && seq - sl > 32768 ? roc - 1 : roc;
  return sl - 32768 > seq ? roc + 1 : roc;
}

/** Records a processed packet's ROC and sequence number (RFC 3711 §3.3.1). */
@inline export function updateIndex(ctx: usize, v: i64, seq: u32): void {
  const flags = load<u32>(ctx + C_FLAGS);
  if ((flags & F_HAS_INDEX) == 0) {
    store<u32>(ctx + C_FLAGS, flags | F_HAS_INDEX);
    store<u32>(ctx + C_ROC, <u32>v);
    store<u32>(ctx + C_S_L, seq);
    return;
  }
  const roc: i64 = <i64>load<u32>(ctx + C_ROC);
  if (v > roc) {
    store<u32>(ctx + C_ROC, <u32>v);
    store<u32>(ctx + C_S_L, seq);
  } else if (v == roc && seq > load<u32>(ctx + C_S_L)) {
    store<u32>(ctx + C_S_L, seq);
  }
}

/** Encrypts the payload of the RTP packet at `pkt` (`hdrLen`..`len`) reading plaintext from `src` (AES-CM). */
@inline export function srtpEncrypt(ctx: usize, pkt: usize, src: usize, hdrLen: u32, len: u32, roc: u32, skip: u32 = 0): void {
  const ssrc = bswap<u32>(load<u32>(pkt, 8));
  const seq = <u32>bswap<u16>(load<u16>(pkt, 2));
  const salt = ctx + C_SALT;
  const c0 = bswap<u32>(load<u32>(salt));
  const c1 = bswap<u32>(load<u32>(salt, 4)) ^ ssrc;
  const c2 = bswap<u32>(load<u32>(salt, 8)) ^ roc;
  const c3 = bswap<u32>(load<u32>(salt, 12)) ^ (seq << 16);
  // `skip` (a multiple of 16) payload bytes were already encrypted from a keystream cache.
  aesCtrXor(ctx + C_RK, c0, c1, c2, c3 + (skip >>> 4), src + hdrLen + skip, pkt + hdrLen + skip, len - hdrLen - skip);
}

/** Appends the 80-bit tag over `pkt[0..len)` || ROC; the packet slot needs len + 10 bytes. */
@inline export function srtpTag(ctx: usize, pkt: usize, len: u32, roc: u32): void {
  store<u32>(pkt + len, bswap<u32>(roc));
  hmacSha1(ctx + C_HI, ctx + C_HO, pkt, len + 4, pkt + len, TAG_LEN);
}

/** Tag length of a context's profile. */
@inline export function tagLength(ctx: usize): u32 {
  return load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM ? GCM_TAG_LEN : TAG_LEN;
}

/**
 * AEAD_AES_128_GCM (RFC 7714 §8): encrypts `pkt[hdrLen..len)` from `src`, authenticates the header
 * as AAD, writes the tag at `pkt + len`. IV = salt XOR (0x0000 || SSRC || ROC || SEQ) (§8.1).
 */
@inline export function srtpGcmProtect(ctx: usize, pkt: usize, src: usize, hdrLen: u32, len: u32, roc: u32): void {
  const ssrc = bswap<u32>(load<u32>(pkt, 8));
  const seq = <u32>bswap<u16>(load<u16>(pkt, 2));
  const salt = ctx + C_SALT;
  const iv0 = bswap<u32>(load<u32>(salt)) ^ (ssrc >>> 16);
  const iv1 = bswap<u32>(load<u32>(salt, 4)) ^ ((ssrc << 16) | (roc >>> 16));
  const iv2 = bswap<u32>(load<u32>(salt, 8)) ^ ((roc << 16) | seq);
  gcm(ctx + C_RK, ctx + C_GHASH, true, iv0, iv1, iv2, pkt, hdrLen, src + hdrLen, pkt + hdrLen, len - hdrLen, pkt + len, false);
}

/**
 * Verifies and decrypts in place the SRTP packet at `pkt` of `len` bytes (tag included) whose RTP
 * header is `hdrLen` bytes. Returns the plaintext length, or ERR_REPLAY / ERR_AUTH.
 */
export function srtpUnprotect(ctx: usize, pkt: usize, hdrLen: u32, len: u32): i32 {
  const seq = <u32>bswap<u16>(load<u16>(pkt, 2));
  const v = estimateRoc(ctx, seq);
  if (v < 0 || v > 0xffffffff) return ERR_REPLAY;
  const index: u64 = (<u64>v << 16) | <u64>seq;
  const flags = load<u32>(ctx + C_FLAGS);
  const top = load<u64>(ctx + C_REPLAY_TOP);
  const map = load<u64>(ctx + C_REPLAY_MAP);
  if ((flags & F_HAS_REPLAY) != 0 && index <= top) {
    const back = top - index;
    if (back >= 64 || (map & (<u64>1 << back)) != 0) return ERR_REPLAY;
  }
  const roc = <u32>v;
  const gcmProfile = load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM;
  const tagLen = gcmProfile ? GCM_TAG_LEN : TAG_LEN;
  const authLen = len - tagLen;
  const saved = SCRATCH + 128;
  const mac = SCRATCH + 160;
  memory.copy(saved, pkt + authLen, tagLen);
  if (gcmProfile) {
    // GHASH runs over the ciphertext before decryption; the payload is restored on a mismatch.
    const ssrc = bswap<u32>(load<u32>(pkt, 8));
    const salt = ctx + C_SALT;
    const iv0 = bswap<u32>(load<u32>(salt)) ^ (ssrc >>> 16);
    const iv1 = bswap<u32>(load<u32>(salt, 4)) ^ ((ssrc << 16) | (roc >>> 16));
    const iv2 = bswap<u32>(load<u32>(salt, 8)) ^ ((roc << 16) | seq);
    gcm(ctx + C_RK, ctx + C_GHASH, true, iv0, iv1, iv2, pkt, hdrLen, pkt + hdrLen, pkt + hdrLen, authLen - hdrLen, mac, true);
    if (!tagsEqual(saved, mac, tagLen)) {
      aesCtrXor(ctx + C_RK, iv0, iv1, iv2, 2, pkt + hdrLen, pkt + hdrLen, authLen - hdrLen);
      return ERR_AUTH;
    }
  } else {
    // Write ROC after the authenticated portion, MAC, compare (RFC 3711 §4.2).
    store<u32>(pkt + authLen, bswap<u32>(roc));
    hmacSha1(ctx + C_HI, ctx + C_HO, pkt, authLen + 4, mac, TAG_LEN);
    if (!tagsEqual(saved, mac, TAG_LEN)) {
      memory.copy(pkt + authLen, saved, TAG_LEN); // leave the packet as received
      return ERR_AUTH;
    }
    srtpEncrypt(ctx, pkt, pkt, hdrLen, authLen, roc);
  }
  // Authenticated: slide the window (RFC 3711 §3.3.2) and the ROC state.
  if ((flags & F_HAS_REPLAY) == 0) {
    store<u64>(ctx + C_REPLAY_TOP, index);
    store<u64>(ctx + C_REPLAY_MAP, 1);
    store<u32>(ctx + C_FLAGS, load<u32>(ctx + C_FLAGS) | F_HAS_REPLAY);
  } else if (index > top) {
    const ahead = index - top;
    store<u64>(ctx + C_REPLAY_MAP, (ahead >= 64 ? 0 : map << ahead) | 1);
    store<u64>(ctx + C_REPLAY_TOP, index);
  } else {
    store<u64>(ctx + C_REPLAY_MAP, map | (<u64>1 << (top - index)));
  }
  updateIndex(ctx, v, seq);
  return <i32>authLen;
}

/** Compares two tags without an early exit. */
export function tagsEqual(a: usize, b: usize, len: u32): bool {
  let diff: u32 = 0;
  for (let i: u32 = 0; i < len; i++) diff |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  return diff == 0;
}
