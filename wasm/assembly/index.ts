// Cardea's WASM fan-out engine: one call per ingress RTP packet writes K rewritten, SRTP-protected
// copies into a preallocated arena. JS hands in offsets and reads offsets; nothing here allocates
// after init(), and memory grows only inside init(). The TypeScript side is
// core/src/media/srtp/WasmSrtpFanout.ts, which documents the contract.
import { aesCtrXor, aesExpandKey, aesInitTables } from './aes';
import { rtcpCheck, rtpHeaderLength } from './rtp';
import { hmacSha1, hmacSha1Setup } from './sha1';
import { gcm, gcmTagWithMask, ghashInitTables, ghashSetup, ghashSetup8 } from './gcm';
import { ksAcquire, ksBeginCall, ksCoverage, ksInit, ksInvalidate, ksLayout, ksLookup, ksRefill, ksRelease } from './keystream';
import { estimateRoc, srtpEncrypt, srtpGcmProtect, srtpTag, srtpUnprotect, tagLength, tagsEqual, updateIndex } from './srtp';
import {
  C_FLAGS, C_HI, C_HO, C_INIT_SEQ, C_INIT_TS, C_KIND, C_LAST_SEQ, C_LAST_TS, C_PROFILE, C_PT, C_RK,
  C_GHASH, C_RTCP_GHASH, C_RTCP_HI, C_RTCP_HO, C_RTCP_RK, C_RTCP_SALT, C_SALT, C_SEQ_OFF, C_SRC_SSRC, C_SRTCP_INDEX,
  C_SRTCP_MAP, C_SRTCP_TOP, C_SSRC, C_TS_OFF, C_TS_STEP, CTX_SIZE, ERR_AUTH, ERR_BAD_CONTEXT, ERR_BAD_HEADER,
  ERR_NOT_INITIALIZED, ERR_REPLAY, ERR_TOO_LONG, ERR_TOO_MANY, F_HAS_OUT, F_HAS_RTCP_REPLAY,
  F_HAS_SRC, F_REBASE, GCM_TAG_LEN, KEYS, PROFILE_AEAD_AES_128_GCM, PROFILE_AES128_CM_HMAC_SHA1_80, PROFILE_PLAIN, SCRATCH, STAT_AUTH_FAILED,
  STAT_BAD_CONTEXT, STAT_CACHE_HITS, STAT_COPIES, STAT_MALFORMED, STAT_PACKETS, STAT_REPLAYED, STAT_TOO_LONG,
  STAT_UNPROTECTED, STATS, TAG_LEN,
} from './layout';

const KIND_EGRESS: u32 = 1;
const KIND_INGRESS: u32 = 2;
/** Room a slot keeps after the packet: the largest trailer is GCM SRTCP's tag + index (20 bytes). */
const SLOT_TRAILER: u32 = 32;

let ready = false;
let ctxBase: usize = 0;
let maxCtx: u32 = 0;
let input: usize = 0;
let subs: usize = 0;
let maxSubs: u32 = 0;
let outOff: usize = 0;
let outLen: usize = 0;
let arena: usize = 0;
let slotSize: u32 = 0;
let maxPacket: u32 = 0;
let slotCount: u32 = 0;
let cursor: u32 = 0;
/** Packets of at least this many bytes get a keystream cache on their egress stream (keystream.ts). */
let cacheMin: u32 = 0;

/**
 * Lays out the instance: `contexts` SRTP contexts, at most `subscribers` copies per fanout() call,
 * `slots` arena slots of `slotBytes` (a multiple of 16, ≥ packetBytes + 32), packets of at most
 * `packetBytes`, and `caches` keystream caches given to egress streams that send packets of at
 * least `cacheMinBytes` (keystream.ts). Grows the memory once; returns 0, or an error code when the
 * sizes do not fit. Call exactly once.
 */
export function init(contexts: u32, subscribers: u32, slotBytes: u32, slots: u32, packetBytes: u32, caches: u32, cacheMinBytes: u32): i32 {
  if (ready) return ERR_NOT_INITIALIZED;
  if (slots < subscribers || (slotBytes & 15) != 0 || packetBytes < 12 || packetBytes + SLOT_TRAILER > slotBytes) return ERR_TOO_MANY;
  cacheMin = cacheMinBytes;
  aesInitTables();
  ghashInitTables();
  let p: usize = (__heap_base + 63) & ~63;
  ctxBase = p;
  p += <usize>contexts * CTX_SIZE;
  input = p;
  p += slotBytes;
  subs = p;
  p += ((<usize>subscribers << 2) + 63) & ~63;
  outOff = p;
  p += ((<usize>subscribers << 2) + 63) & ~63;
  outLen = p;
  p += ((<usize>subscribers << 2) + 63) & ~63;
  arena = p;
  p += <usize>slots * slotBytes;
  p = ksLayout((p + 63) & ~63, caches, packetBytes - 12, 2 * subscribers);
  const needed = <i32>((p + 0xffff) >>> 16) - memory.size();
  if (needed > 0 && memory.grow(needed) < 0) return ERR_TOO_LONG;
  ksInit();
  maxCtx = contexts;
  maxSubs = subscribers;
  slotSize = slotBytes;
  slotCount = slots;
  maxPacket = packetBytes;
  ready = true;
  return 0;
}

export function inputPtr(): usize { return input; }
export function subscribersPtr(): usize { return subs; }
export function outOffsetsPtr(): usize { return outOff; }
export function outLengthsPtr(): usize { return outLen; }
export function keysPtr(): usize { return KEYS; }
export { ksCommit, ksRefillCount, ksRefillIdsPtr, ksRefillLengthsPtr, ksRefillOffsetsPtr } from './keystream';
export function statsPtr(): usize { return STATS; }
export function slotBytes(): u32 { return slotSize; }

@inline function ctxAt(id: u32, kind: u32): usize {
  if (id >= maxCtx) return 0;
  const ctx = ctxBase + <usize>id * CTX_SIZE;
  return load<u32>(ctx + C_KIND) == kind ? ctx : 0;
}

@inline function count(stat: u32): void {
  store<u32>(STATS + (stat << 2), load<u32>(STATS + (stat << 2)) + 1);
}

/**
 * (Re)initialises context `id` as egress (kind 1) or ingress (kind 2) for `profile` (1 AES-CM +
 * HMAC-SHA1-80, 7 AEAD_AES_128_GCM) from the session keys JS wrote at keysPtr(): SRTP key +0,
 * salt +16 (14 B; 12 B for GCM), auth key +32 (20 B, CM only); SRTCP key +64, salt +80, auth key
 * +96. All stream state (ROC, replay window, rewrite offsets) starts over.
 */
export function ctxSetup(id: u32, kind: u32, profile: u32): i32 {
  if (!ready) return ERR_NOT_INITIALIZED;
  const plain = profile == PROFILE_PLAIN;
  const known = profile == PROFILE_AES128_CM_HMAC_SHA1_80 || profile == PROFILE_AEAD_AES_128_GCM || (plain && kind == KIND_EGRESS);
  if (id >= maxCtx || (kind != KIND_EGRESS && kind != KIND_INGRESS) || !known) return ERR_BAD_CONTEXT;
  const ctx = ctxBase + <usize>id * CTX_SIZE;
  ksRelease(ctx);
  memory.fill(ctx, 0, CTX_SIZE);
  store<u32>(ctx + C_KIND, kind);
  store<u32>(ctx + C_PROFILE, profile);
  store<i32>(ctx + C_PT, -1);
  if (plain) return 0; // rewrite only: no keys (plain RTP endpoints)
  const saltLen: u32 = profile == PROFILE_AEAD_AES_128_GCM ? 12 : 14;
  memory.copy(ctx + C_SALT, KEYS + 16, saltLen);
  aesExpandKey(KEYS, ctx + C_RK);
  memory.copy(ctx + C_RTCP_SALT, KEYS + 80, saltLen);
  aesExpandKey(KEYS + 64, ctx + C_RTCP_RK);
  if (profile == PROFILE_AEAD_AES_128_GCM) {
    ghashSetup8(ctx + C_RK, ctx + C_GHASH);
    ghashSetup(ctx + C_RTCP_RK, ctx + C_RTCP_GHASH);
  } else {
    hmacSha1Setup(KEYS + 32, 20, ctx + C_HI, ctx + C_HO);
    hmacSha1Setup(KEYS + 96, 20, ctx + C_RTCP_HI, ctx + C_RTCP_HO);
  }
  memory.fill(KEYS, 0, 256); // key material does not linger in the staging area
  return 0;
}

/** Frees context `id`; later packets naming it are dropped and counted. */
export function ctxFree(id: u32): void {
  if (id >= maxCtx) return;
  const ctx = ctxBase + <usize>id * CTX_SIZE;
  ksRelease(ctx);
  memory.fill(ctx, 0, CTX_SIZE);
}

/**
 * Sets the rewrite of egress context `id`: output SSRC, payload type (-1 keeps the source's),
 * timestamp step added at a source switch, and the first output sequence number and timestamp.
 */
export function ctxRewrite(id: u32, ssrc: u32, pt: i32, tsStep: u32, initSeq: u32, initTs: u32): i32 {
  const ctx = ctxAt(id, KIND_EGRESS);
  if (ctx == 0) return ERR_BAD_CONTEXT;
  if (load<u32>(ctx + C_SSRC) != ssrc) ksInvalidate(ctx); // cached counter blocks carry the SSRC
  store<u32>(ctx + C_SSRC, ssrc);
  store<i32>(ctx + C_PT, pt);
  store<u32>(ctx + C_TS_STEP, tsStep);
  store<u32>(ctx + C_INIT_SEQ, initSeq & 0xffff);
  store<u32>(ctx + C_INIT_TS, initTs);
  return 0;
}

/** Makes egress context `id` recompute its offsets at the next packet (a switch within one SSRC). */
export function ctxRebase(id: u32, tsStep: u32): i32 {
  const ctx = ctxAt(id, KIND_EGRESS);
  if (ctx == 0) return ERR_BAD_CONTEXT;
  store<u32>(ctx + C_TS_STEP, tsStep);
  store<u32>(ctx + C_FLAGS, load<u32>(ctx + C_FLAGS) | F_REBASE);
  return 0;
}

/**
 * Shifts egress context `id`'s sequence offset by `delta` (mod 2^16): −1 per source packet the
 * caller dropped for this subscriber (VP8 temporal layers) keeps the output sequence gap-free.
 */
export function ctxShiftSeq(id: u32, delta: i32): i32 {
  const ctx = ctxAt(id, KIND_EGRESS);
  if (ctx == 0) return ERR_BAD_CONTEXT;
  store<u32>(ctx + C_SEQ_OFF, (load<u32>(ctx + C_SEQ_OFF) + <u32>delta) & 0xffff);
  return 0;
}

/** Egress sequence number after the last packet written (for tests and RTCP SR), or -1. */
export function ctxLastSeq(id: u32): i32 {
  const ctx = ctxAt(id, KIND_EGRESS);
  return ctx == 0 || (load<u32>(ctx + C_FLAGS) & F_HAS_OUT) == 0 ? -1 : <i32>load<u32>(ctx + C_LAST_SEQ);
}

/**
 * Protects one copy with the cached keystream `entry` (keystream.ts): XOR for the bytes the entry
 * covers, WASM AES for any rest; GCM takes E(K, J0) from the entry's first block for the tag.
 */
function protectCached(ctx: usize, entry: usize, slot: usize, hdr: u32, len: u32, roc: u32, gcmProfile: bool): void {
  const plen = len - hdr;
  const coverage = ksCoverage(ctx);
  const covered = plen < coverage ? plen : coverage;
  const ks = gcmProfile ? entry + 16 : entry;
  xorInto(slot + hdr, input + hdr, ks, covered);
  if (gcmProfile) {
    if (covered < plen) {
      const ssrc = bswap<u32>(load<u32>(slot, 8));
      const seq = <u32>bswap<u16>(load<u16>(slot, 2));
      const salt = ctx + C_SALT;
      const iv0 = bswap<u32>(load<u32>(salt)) ^ (ssrc >>> 16);
      const iv1 = bswap<u32>(load<u32>(salt, 4)) ^ ((ssrc << 16) | (roc >>> 16));
      const iv2 = bswap<u32>(load<u32>(salt, 8)) ^ ((roc << 16) | seq);
      aesCtrXor(ctx + C_RK, iv0, iv1, iv2, 2 + (covered >>> 4), input + hdr + covered, slot + hdr + covered, plen - covered);
    }
    gcmTagWithMask(ctx + C_GHASH, slot, hdr, slot + hdr, plen, entry, slot + len);
  } else {
    if (covered < plen) srtpEncrypt(ctx, slot, input, hdr, len, roc, covered);
    srtpTag(ctx, slot, len, roc);
  }
}

/**
 * Fan-out: the plaintext RTP packet of `len` bytes at inputPtr() is rewritten and protected for
 * each of the `n` egress context ids at subscribersPtr(). Copy i goes to the arena at
 * outOffsetsPtr()[i] with length outLengthsPtr()[i]. Returns the number of copies (ids that are
 * not egress contexts are skipped and counted), or a negative error code (nothing written).
 */
/** dst[i] = src[i] ^ ks[i] for `len` bytes. */
@inline function xorInto(dst: usize, src: usize, ks: usize, len: u32): void {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) store<u64>(dst + i, load<u64>(src + i) ^ load<u64>(ks + i));
  for (; i < len; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(ks + i));
}

export function fanout(len: u32, n: u32): i32 {
  if (!ready) return ERR_NOT_INITIALIZED;
  if (n > maxSubs) return ERR_TOO_MANY;
  const hdr = rtpHeaderLength(input, len, 0);
  if (hdr < 0) {
    count(STAT_MALFORMED);
    return hdr;
  }
  if (len > maxPacket) {
    count(STAT_TOO_LONG);
    return ERR_TOO_LONG;
  }
  if (cursor + n > slotCount) cursor = 0;
  ksBeginCall();
  const b1 = <u32>load<u8>(input, 1);
  const inSeq = <u32>bswap<u16>(load<u16>(input, 2));
  const inTs = bswap<u32>(load<u32>(input, 4));
  const inSsrc = bswap<u32>(load<u32>(input, 8));
  let written: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const ctx = ctxAt(load<u32>(subs + (i << 2)), KIND_EGRESS);
    if (ctx == 0) {
      count(STAT_BAD_CONTEXT);
      continue;
    }
    let flags = load<u32>(ctx + C_FLAGS);
    if ((flags & F_HAS_SRC) == 0 || (flags & F_REBASE) != 0 || load<u32>(ctx + C_SRC_SSRC) != inSsrc) {
      // Source switch: continue the output sequence and timeline where the previous source left it.
      let seq0 = load<u32>(ctx + C_INIT_SEQ);
      let ts0 = load<u32>(ctx + C_INIT_TS);
      if ((flags & F_HAS_OUT) != 0) {
        seq0 = load<u32>(ctx + C_LAST_SEQ) + 1;
        ts0 = load<u32>(ctx + C_LAST_TS) + load<u32>(ctx + C_TS_STEP);
      }
      store<u32>(ctx + C_SEQ_OFF, (seq0 - inSeq) & 0xffff);
      store<u32>(ctx + C_TS_OFF, ts0 - inTs);
      store<u32>(ctx + C_SRC_SSRC, inSsrc);
      flags = (flags | F_HAS_SRC) & ~F_REBASE;
      store<u32>(ctx + C_FLAGS, flags);
    }
    const seq = (inSeq + load<u32>(ctx + C_SEQ_OFF)) & 0xffff;
    const ts = inTs + load<u32>(ctx + C_TS_OFF);
    const v = estimateRoc(ctx, seq);
    if (v < 0) {
      count(STAT_REPLAYED); // a straggler from before ROC 0: its index cannot be expressed
      continue;
    }
    const roc = <u32>v;
    const slot = arena + <usize>(cursor + written) * slotSize;
    memory.copy(slot, input, hdr);
    const pt = load<i32>(ctx + C_PT);
    if (pt >= 0) store<u8>(slot, <u8>((b1 & 0x80) | (<u32>pt & 0x7f)), 1);
    store<u16>(slot, bswap<u16>(<u16>seq), 2);
    store<u32>(slot, bswap<u32>(ts), 4);
    store<u32>(slot, bswap<u32>(load<u32>(ctx + C_SSRC)), 8);
    const profile = load<u32>(ctx + C_PROFILE);
    const gcmProfile = profile == PROFILE_AEAD_AES_128_GCM;
    let outBytes = len + (gcmProfile ? GCM_TAG_LEN : TAG_LEN);
    const index: u64 = (<u64>roc << 16) | <u64>seq;
    if (profile == PROFILE_PLAIN) {
      memory.copy(slot + hdr, input + hdr, len - <u32>hdr);
      outBytes = len;
    } else {
      if (len >= cacheMin) ksAcquire(ctx);
      const cached = ksLookup(ctx, index);
      if (cached != 0) {
        protectCached(ctx, cached, slot, <u32>hdr, len, roc, gcmProfile);
        count(STAT_CACHE_HITS);
      }
      else if (gcmProfile) srtpGcmProtect(ctx, slot, input, <u32>hdr, len, roc);
      else {
        srtpEncrypt(ctx, slot, input, <u32>hdr, len, roc);
        srtpTag(ctx, slot, len, roc);
      }
      ksRefill(ctx, load<u32>(subs + (i << 2)), index);
    }
    updateIndex(ctx, v, seq);
    if ((flags & F_HAS_OUT) == 0 || (((seq - load<u32>(ctx + C_LAST_SEQ)) & 0xffff) - 1) < 0x7fff) {
      store<u32>(ctx + C_LAST_SEQ, seq);
      store<u32>(ctx + C_LAST_TS, ts);
      store<u32>(ctx + C_FLAGS, load<u32>(ctx + C_FLAGS) | F_HAS_OUT);
    }
    store<u32>(outOff + (written << 2), <u32>slot);
    store<u32>(outLen + (written << 2), outBytes);
    written++;
  }
  cursor += written;
  count(STAT_PACKETS);
  store<u32>(STATS + (STAT_COPIES << 2), load<u32>(STATS + (STAT_COPIES << 2)) + written);
  return <i32>written;
}

/**
 * Ingress: verifies and decrypts in place the SRTP packet of `len` bytes at inputPtr() with
 * ingress context `id`. Returns the plaintext length (ready for fanout()), or a negative error
 * code; rejected packets are counted, never thrown.
 */
export function unprotect(id: u32, len: u32): i32 {
  if (!ready) return ERR_NOT_INITIALIZED;
  const ctx = ctxAt(id, KIND_INGRESS);
  if (ctx == 0) {
    count(STAT_BAD_CONTEXT);
    return ERR_BAD_CONTEXT;
  }
  const tagLen = tagLength(ctx);
  if (len > maxPacket + tagLen) {
    count(STAT_TOO_LONG);
    return ERR_TOO_LONG;
  }
  const hdr = rtpHeaderLength(input, len, tagLen);
  if (hdr < 0) {
    count(STAT_MALFORMED);
    return hdr;
  }
  const r = srtpUnprotect(ctx, input, <u32>hdr, len);
  if (r == ERR_AUTH) count(STAT_AUTH_FAILED);
  else if (r == ERR_REPLAY) count(STAT_REPLAYED);
  else count(STAT_UNPROTECTED);
  return r;
}

/** AES-CM SRTCP: IV words (RFC 3711 §4.1.1 with the 31-bit SRTCP index) into the keystream. */
@inline function srtcpXor(ctx: usize, pkt: usize, len: u32, index: u32): void {
  const salt = ctx + C_RTCP_SALT;
  const ssrc = bswap<u32>(load<u32>(pkt, 4));
  const c0 = bswap<u32>(load<u32>(salt));
  const c1 = bswap<u32>(load<u32>(salt, 4)) ^ ssrc;
  const c2 = bswap<u32>(load<u32>(salt, 8)) ^ (index >>> 16);
  const c3 = bswap<u32>(load<u32>(salt, 12)) ^ (index << 16);
  aesCtrXor(ctx + C_RTCP_RK, c0, c1, c2, c3, pkt + 8, pkt + 8, len - 8);
}

/**
 * GCM SRTCP (RFC 7714 §9): IV = salt XOR (0x0000 || SSRC || 0x0000 || index), AAD = the first 8
 * bytes || E-flag|index; encrypts/decrypts pkt[8..len) in place and writes the tag to `tag`.
 */
function srtcpGcm(ctx: usize, pkt: usize, len: u32, word: u32, tag: usize, decrypt: bool): void {
  const salt = ctx + C_RTCP_SALT;
  const ssrc = bswap<u32>(load<u32>(pkt, 4));
  const aad = SCRATCH + 224;
  memory.copy(aad, pkt, 8);
  store<u32>(aad, bswap<u32>(word), 8);
  const iv0 = bswap<u32>(load<u32>(salt)) ^ (ssrc >>> 16);
  const iv1 = bswap<u32>(load<u32>(salt, 4)) ^ (ssrc << 16);
  const iv2 = bswap<u32>(load<u32>(salt, 8)) ^ (word & 0x7fffffff);
  gcm(ctx + C_RTCP_RK, ctx + C_RTCP_GHASH, false, iv0, iv1, iv2, aad, 12, pkt + 8, pkt + 8, len - 8, tag, decrypt);
}

/**
 * SRTCP protect (RFC 3711 §3.4; RFC 7714 §9) in place at inputPtr() with egress context `id`:
 * encrypts after the first 8 bytes and appends E-flag|index and the tag (CM: index then 10-byte
 * tag; GCM: 16-byte tag then index). Returns the protected length.
 */
export function protectRtcp(id: u32, len: u32): i32 {
  if (!ready) return ERR_NOT_INITIALIZED;
  const ctx = ctxAt(id, KIND_EGRESS);
  if (ctx == 0) {
    count(STAT_BAD_CONTEXT);
    return ERR_BAD_CONTEXT;
  }
  if (len > maxPacket) {
    count(STAT_TOO_LONG);
    return ERR_TOO_LONG;
  }
  const chk = rtcpCheck(input, len, 0);
  if (chk < 0) {
    count(STAT_MALFORMED);
    return chk;
  }
  if (load<u32>(ctx + C_PROFILE) == PROFILE_PLAIN) return <i32>len; // plain RTCP (RFC 3550 §6)
  const index = load<u32>(ctx + C_SRTCP_INDEX);
  store<u32>(ctx + C_SRTCP_INDEX, (index + 1) & 0x7fffffff);
  const word = index | 0x80000000;
  if (load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM) {
    srtcpGcm(ctx, input, len, word, input + len, false);
    store<u32>(input + len + GCM_TAG_LEN, bswap<u32>(word));
    return <i32>(len + GCM_TAG_LEN + 4);
  }
  srtcpXor(ctx, input, len, index);
  store<u32>(input + len, bswap<u32>(word));
  hmacSha1(ctx + C_RTCP_HI, ctx + C_RTCP_HO, input, len + 4, input + len + 4, TAG_LEN);
  return <i32>(len + 4 + TAG_LEN);
}

/**
 * SRTCP unprotect in place at inputPtr() with ingress context `id`; returns the RTCP length.
 * GCM SRTCP without encryption (E = 0) is refused as malformed: browsers always encrypt.
 */
export function unprotectRtcp(id: u32, len: u32): i32 {
  if (!ready) return ERR_NOT_INITIALIZED;
  const ctx = ctxAt(id, KIND_INGRESS);
  if (ctx == 0) {
    count(STAT_BAD_CONTEXT);
    return ERR_BAD_CONTEXT;
  }
  const gcmProfile = load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM;
  const tagLen = gcmProfile ? GCM_TAG_LEN : TAG_LEN;
  if (len > maxPacket + 4 + tagLen) {
    count(STAT_TOO_LONG);
    return ERR_TOO_LONG;
  }
  const chk = rtcpCheck(input, len, 4 + tagLen);
  if (chk < 0) {
    count(STAT_MALFORMED);
    return chk;
  }
  const plainLen = len - 4 - tagLen;
  const word = bswap<u32>(load<u32>(input + (gcmProfile ? len - 4 : plainLen)));
  if (gcmProfile && (word & 0x80000000) == 0) {
    count(STAT_MALFORMED);
    return ERR_BAD_HEADER;
  }
  const index = word & 0x7fffffff;
  const flags = load<u32>(ctx + C_FLAGS);
  const top = load<u64>(ctx + C_SRTCP_TOP);
  const map = load<u64>(ctx + C_SRTCP_MAP);
  if ((flags & F_HAS_RTCP_REPLAY) != 0 && <u64>index <= top) {
    const back = top - <u64>index;
    if (back >= 64 || (map & (<u64>1 << back)) != 0) {
      count(STAT_REPLAYED);
      return ERR_REPLAY;
    }
  }
  const mac = SCRATCH + 160;
  const received = input + (gcmProfile ? plainLen : len - TAG_LEN);
  if (gcmProfile) {
    srtcpGcm(ctx, input, plainLen, word, mac, true);
    if (!tagsEqual(received, mac, tagLen)) {
      srtcpGcm(ctx, input, plainLen, word, mac, false); // re-encrypt: leave the packet as received
      count(STAT_AUTH_FAILED);
      return ERR_AUTH;
    }
  } else {
    hmacSha1(ctx + C_RTCP_HI, ctx + C_RTCP_HO, input, len - TAG_LEN, mac, TAG_LEN);
    if (!tagsEqual(received, mac, tagLen)) {
      count(STAT_AUTH_FAILED);
      return ERR_AUTH;
    }
    if ((word & 0x80000000) != 0) srtcpXor(ctx, input, plainLen, index);
  }
  if ((flags & F_HAS_RTCP_REPLAY) == 0) {
    store<u64>(ctx + C_SRTCP_TOP, index);
    store<u64>(ctx + C_SRTCP_MAP, 1);
    store<u32>(ctx + C_FLAGS, flags | F_HAS_RTCP_REPLAY);
  } else if (<u64>index > top) {
    const ahead = <u64>index - top;
    store<u64>(ctx + C_SRTCP_MAP, (ahead >= 64 ? 0 : map << ahead) | 1);
    store<u64>(ctx + C_SRTCP_TOP, index);
  } else {
    store<u64>(ctx + C_SRTCP_MAP, map | (<u64>1 << (top - <u64>index)));
  }
  count(STAT_UNPROTECTED);
  return <i32>plainLen;
}

/** Test hook: XORs `len` bytes at inputPtr() with AES-CM under the key at keysPtr() and the IV at +16. */
export function testAesCm(len: u32): void {
  const rk = SCRATCH; // 176 bytes of round keys; SCRATCH is free outside hmacSha1
  aesExpandKey(KEYS, rk);
  const iv = KEYS + 16;
  aesCtrXor(rk, bswap<u32>(load<u32>(iv)), bswap<u32>(load<u32>(iv, 4)), bswap<u32>(load<u32>(iv, 8)), bswap<u32>(load<u32>(iv, 12)), input, input, len);
}

/** Test hook: HMAC-SHA1 of `len` bytes at inputPtr() keyed by `keyLen` (≤ 64) bytes at keysPtr()+32; MAC at keysPtr()+96 (20 B). */
export function testHmac(keyLen: u32, len: u32): void {
  hmacSha1Setup(KEYS + 32, keyLen, KEYS + 160, KEYS + 180);
  hmacSha1(KEYS + 160, KEYS + 180, input, len, KEYS + 96, 20);
}
