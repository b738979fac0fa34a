// Keystream caches: AES for large packets without software AES. WASM has no AES instruction, and
// table AES costs ~8 cycles/byte, while node:crypto runs AES-NI but costs ~1 µs of call overhead per
// call. The AES-CM / GCM keystream of a packet depends only on the stream's key, salt, output SSRC
// and packet index, not on its content, so for an egress stream that carries large packets, the
// counter blocks of the next KS_ENTRIES − 1 indices are written here ahead of time and JS turns
// them into keystream with ONE node:crypto AES-ECB call per refill (see WasmSrtpFanout.fanout).
// fanout() then only XORs. The cache is a memo: an index it does not hold falls back to WASM AES.
import { C_CACHE, C_CACHE_TOP, C_PROFILE, C_SALT, C_SSRC, PROFILE_AEAD_AES_128_GCM } from './layout';

/** Packets per cache (a ring indexed by packet index mod KS_ENTRIES). */
export const KS_ENTRIES: u32 = 16;
/** Refill when fewer than this many indices ahead of the current one are cached. */
const KS_LOW_WATER: u64 = 8;

let base: usize = 0;
let caches: u32 = 0;
/** Bytes of one entry: GCM's E(K, J0) block, then the CTR keystream (AES-CM uses all of it as CTR). */
let entryBytes: u32 = 0;
let cacheBytes: usize = 0;
let freeList: usize = 0;
let freeTop: u32 = 0;
let refillIds: usize = 0;
let refillOff: usize = 0;
let refillLen: usize = 0;
let refillCache: usize = 0;
let refillFirst: usize = 0;
let refillCount: u32 = 0;

/**
 * Lays out `count` caches for payloads of up to `maxPayload` bytes from `p`, and a refill table of
 * `maxRefills` runs. Returns the first byte after them.
 */
export function ksLayout(p: usize, count: u32, maxPayload: u32, maxRefills: u32): usize {
  caches = count;
  entryBytes = ((maxPayload + 15) & ~15) + 16;
  cacheBytes = <usize>KS_ENTRIES * 8 + <usize>KS_ENTRIES * entryBytes;
  freeList = p;
  p += ((<usize>count << 2) + 63) & ~63;
  refillIds = p;
  p += ((<usize>maxRefills << 2) + 63) & ~63;
  refillOff = p;
  p += ((<usize>maxRefills << 2) + 63) & ~63;
  refillLen = p;
  p += ((<usize>maxRefills << 2) + 63) & ~63;
  refillCache = p;
  p += ((<usize>maxRefills << 2) + 63) & ~63;
  refillFirst = p;
  p += ((<usize>maxRefills << 3) + 63) & ~63;
  base = p;
  return p + <usize>count * cacheBytes;
}

/** Fills the free list; called by init() once the memory has grown to hold the layout. */
export function ksInit(): void {
  for (let i: u32 = 0; i < caches; i++) store<u32>(freeList + (i << 2), caches - 1 - i);
  freeTop = caches;
}

export function ksRefillIdsPtr(): usize { return refillIds; }
export function ksRefillOffsetsPtr(): usize { return refillOff; }
export function ksRefillLengthsPtr(): usize { return refillLen; }
/** Refill runs requested by the last fanout(): JS encrypts each in place with AES-ECB, then calls ksCommit(). */
export function ksRefillCount(): u32 { return refillCount; }

/**
 * Marks the entries of every recorded run valid, once JS has replaced their counter blocks with
 * keystream. Until then they are invalid: a cache never serves counter blocks as keystream.
 */
export function ksCommit(): void {
  for (let r: u32 = 0; r < refillCount; r++) {
    const cache = <usize>load<u32>(refillCache + (r << 2));
    const first = load<u64>(refillFirst + (r << 3));
    const n = load<u32>(refillLen + (r << 2)) / entryBytes;
    for (let k: u32 = 0; k < n; k++) {
      const i = first + <u64>k;
      store<u64>(cache + (<usize>(i & <u64>(KS_ENTRIES - 1)) << 3), i + 1);
    }
  }
  refillCount = 0;
}

/** Clears the refill table; called at the start of each fanout(). */
export function ksBeginCall(): void {
  refillCount = 0;
}

@inline function cacheAt(ctx: usize): usize {
  const id = load<u32>(ctx + C_CACHE);
  return id == 0 ? 0 : base + <usize>(id - 1) * cacheBytes;
}

/** Gives egress context `ctx` a cache if one is free (no-op when it has one or none is free). */
export function ksAcquire(ctx: usize): void {
  if (load<u32>(ctx + C_CACHE) != 0 || freeTop == 0) return;
  freeTop--;
  const id = load<u32>(freeList + (freeTop << 2));
  store<u32>(ctx + C_CACHE, id + 1);
  memory.fill(base + <usize>id * cacheBytes, 0, <usize>KS_ENTRIES * 8);
  store<u64>(ctx + C_CACHE_TOP, 0);
}

/** Returns the context's cache to the pool (context freed or re-keyed). */
export function ksRelease(ctx: usize): void {
  const id = load<u32>(ctx + C_CACHE);
  if (id == 0) return;
  store<u32>(freeList + (freeTop << 2), id - 1);
  freeTop++;
  store<u32>(ctx + C_CACHE, 0);
}

/** Forgets what the cache holds (the output SSRC changed, so every counter block did). */
export function ksInvalidate(ctx: usize): void {
  const cache = cacheAt(ctx);
  if (cache != 0) memory.fill(cache, 0, <usize>KS_ENTRIES * 8);
  store<u64>(ctx + C_CACHE_TOP, 0);
}

/** The cached entry for packet `index` (GCM: E(K,J0) first, then keystream), or 0. */
@inline export function ksLookup(ctx: usize, index: u64): usize {
  const cache = cacheAt(ctx);
  if (cache == 0) return 0;
  const slot = <usize>(index & <u64>(KS_ENTRIES - 1));
  if (load<u64>(cache + (slot << 3)) != index + 1) return 0;
  return cache + <usize>KS_ENTRIES * 8 + slot * entryBytes;
}

/** Bytes of CTR keystream an entry holds for a context's profile. */
@inline export function ksCoverage(ctx: usize): u32 {
  return load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM ? entryBytes - 16 : entryBytes;
}

/**
 * After a copy with packet `index` went out on `ctx` (stream `id`): when fewer than KS_LOW_WATER
 * later indices are cached, writes the counter blocks of indices up to index + KS_ENTRIES − 1 and
 * records the runs for JS to encrypt.
 */
export function ksRefill(ctx: usize, id: u32, index: u64): void {
  const cache = cacheAt(ctx);
  if (cache == 0) return;
  const top = load<u64>(ctx + C_CACHE_TOP);
  if (top >= index + KS_LOW_WATER) return;
  const first = top > index ? top + 1 : index + 1;
  const last = index + <u64>(KS_ENTRIES - 1);
  const entries = cache + <usize>KS_ENTRIES * 8;
  const gcm = load<u32>(ctx + C_PROFILE) == PROFILE_AEAD_AES_128_GCM;
  const salt = ctx + C_SALT;
  const ssrc = load<u32>(ctx + C_SSRC);
  const s0 = bswap<u32>(load<u32>(salt)), s1 = bswap<u32>(load<u32>(salt, 4));
  const s2 = bswap<u32>(load<u32>(salt, 8)), s3 = bswap<u32>(load<u32>(salt, 12));
  let runStart: usize = 0;
  let runBytes: u32 = 0;
  let runFirst: u64 = first;
  for (let i = first; i <= last; i++) {
    const slot = <usize>(i & <u64>(KS_ENTRIES - 1));
    const entry = entries + slot * entryBytes;
    const roc = <u32>(i >> 16);
    const seq = <u32>(i & 0xffff);
    let w0: u32, w1: u32, w2: u32, w3: u32;
    if (gcm) {
      // RFC 7714 §8.1 IV, J0 = IV || 1 first, then IV || 2.. (SP 800-38D §7.1)
      w0 = s0 ^ (ssrc >>> 16);
      w1 = s1 ^ ((ssrc << 16) | (roc >>> 16));
      w2 = s2 ^ ((roc << 16) | seq);
      w3 = 1;
    } else {
      // RFC 3711 §4.1.1: (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16), block counter in the low 16 bits
      w0 = s0;
      w1 = s1 ^ ssrc;
      w2 = s2 ^ roc;
      w3 = s3 ^ (seq << 16);
    }
    const b0 = bswap<u32>(w0), b1 = bswap<u32>(w1), b2 = bswap<u32>(w2);
    for (let off: u32 = 0, n: u32 = 0; off < entryBytes; off += 16, n++) {
      store<u32>(entry + off, b0);
      store<u32>(entry + off, b1, 4);
      store<u32>(entry + off, b2, 8);
      store<u32>(entry + off, bswap<u32>(w3 + n), 12);
    }
    store<u64>(cache + (slot << 3), 0); // holds counter blocks, not keystream, until ksCommit()
    // Entries are contiguous until the ring wraps: one run per contiguous stretch.
    if (runBytes != 0 && entry == runStart + runBytes) {
      runBytes += entryBytes;
    } else {
      if (runBytes != 0) addRun(id, cache, runFirst, runStart, runBytes);
      runStart = entry;
      runBytes = entryBytes;
      runFirst = i;
    }
  }
  if (runBytes != 0) addRun(id, cache, runFirst, runStart, runBytes);
  store<u64>(ctx + C_CACHE_TOP, last);
}

@inline function addRun(id: u32, cache: usize, first: u64, at: usize, bytes: u32): void {
  store<u32>(refillIds + (refillCount << 2), id);
  store<u32>(refillCache + (refillCount << 2), <u32>cache);
  store<u64>(refillFirst + (refillCount << 3), first);
  store<u32>(refillOff + (refillCount << 2), <u32>at);
  store<u32>(refillLen + (refillCount << 2), bytes);
  refillCount++;
}
