// AES-128-GCM (NIST SP 800-38D) for AEAD_AES_128_GCM SRTP/SRTCP (RFC 7714). GHASH uses Shoup's
// table method with the 128-bit field elements held as two big-endian u64 halves: 8-bit tables
// (256 multiples of H, 4 KB per key, 16 steps a block) for SRTP, where every byte counts, and
// 4-bit tables (256 bytes, 32 steps a block) for SRTCP.
import { aesCtrXor } from './aes';
import { SCRATCH } from './layout';

/** Reduction constants for the 4 bits shifted out per step (x^128 + x^7 + x^2 + x + 1). */
const LAST4: usize = memory.data<u64>([
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
  0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0,
]);

/** Reduction of the 8 bits shifted out per step, pre-shifted into the top 16 bits of the high half. */
const REM8: usize = memory.data(256 * 8, 64);

/** Fills REM8; called once by init(). Bit k of the byte folds back as 0xE1 << (k + 1) (x^128 = x^7 + x^2 + x + 1). */
export function ghashInitTables(): void {
  for (let b: u32 = 0; b < 256; b++) {
    let r: u64 = 0;
    for (let k: u32 = 0; k < 8; k++) if (((b >> k) & 1) != 0) r ^= <u64>0xe1 << (k + 1);
    store<u64>(REM8 + (<usize>b << 3), r << 48);
  }
}

/** Builds the 8-bit table M[b] = b · H (M[0x80] = H) for the round keys at `rk` into `table` (4 KB). */
export function ghashSetup8(rk: usize, table: usize): void {
  const h = SCRATCH + 192;
  memory.fill(h, 0, 16);
  aesCtrXor(rk, 0, 0, 0, 0, h, h, 16);
  let vh = bswap<u64>(load<u64>(h));
  let vl = bswap<u64>(load<u64>(h, 8));
  memory.fill(table, 0, 4096);
  store<u64>(table + 128 * 16, vh);
  store<u64>(table + 128 * 16, vl, 8);
  for (let i: u32 = 64; i > 0; i >>= 1) {
    const t: u64 = (vl & 1) != 0 ? 0xe100000000000000 : 0;
    vl = (vh << 63) | (vl >> 1);
    vh = (vh >> 1) ^ t;
    store<u64>(table + i * 16, vh);
    store<u64>(table + i * 16, vl, 8);
  }
  for (let i: u32 = 2; i <= 128; i <<= 1) {
    const hh = load<u64>(table + i * 16);
    const hl = load<u64>(table + i * 16, 8);
    for (let j: u32 = 1; j < i; j++) {
      store<u64>(table + (i + j) * 16, hh ^ load<u64>(table + j * 16));
      store<u64>(table + (i + j) * 16, hl ^ load<u64>(table + j * 16, 8), 8);
    }
  }
}

/** X = X · H with the 8-bit table, a byte at a time from the last. */
@inline function mulH8(table: usize): void {
  let p = table + (<usize>(xl & 0xff) << 4);
  let zh = load<u64>(p);
  let zl = load<u64>(p, 8);
  for (let i = 14; i >= 0; i--) {
    const rem = <usize>(zl & 0xff);
    zl = (zh << 56) | (zl >> 8);
    zh = (zh >> 8) ^ load<u64>(REM8 + (rem << 3));
    const byte = <usize>((i >= 8 ? xl >> (<u64>(15 - i) << 3) : xh >> (<u64>(7 - i) << 3)) & 0xff);
    p = table + (byte << 4);
    zh ^= load<u64>(p);
    zl ^= load<u64>(p, 8);
  }
  xh = zh;
  xl = zl;
}

/** The running GHASH value X (high and low halves). */
let xh: u64 = 0;
let xl: u64 = 0;

/** Builds the 4-bit table of H = E(K, 0^128) for the round keys at `rk` into `table`. */
export function ghashSetup(rk: usize, table: usize): void {
  const h = SCRATCH + 192;
  memory.fill(h, 0, 16);
  aesCtrXor(rk, 0, 0, 0, 0, h, h, 16);
  let vh = bswap<u64>(load<u64>(h));
  let vl = bswap<u64>(load<u64>(h, 8));
  memory.fill(table, 0, 256);
  store<u64>(table + 8 * 16, vh);
  store<u64>(table + 8 * 16, vl, 8);
  for (let i: u32 = 4; i > 0; i >>= 1) {
    const t: u64 = (vl & 1) != 0 ? 0xe100000000000000 : 0;
    vl = (vh << 63) | (vl >> 1);
    vh = (vh >> 1) ^ t;
    store<u64>(table + i * 16, vh);
    store<u64>(table + i * 16, vl, 8);
  }
  for (let i: u32 = 2; i <= 8; i <<= 1) {
    const hh = load<u64>(table + i * 16);
    const hl = load<u64>(table + i * 16, 8);
    for (let j: u32 = 1; j < i; j++) {
      store<u64>(table + (i + j) * 16, hh ^ load<u64>(table + j * 16));
      store<u64>(table + (i + j) * 16, hl ^ load<u64>(table + j * 16, 8), 8);
    }
  }
}

/** X = X · H over the bytes of X from last to first, a nibble at a time. */
@inline function mulH(table: usize): void {
  let zh: u64 = 0;
  let zl: u64 = 0;
  for (let i = 15; i >= 0; i--) {
    const byte = <u32>((i >= 8 ? xl >> (<u64>(15 - i) << 3) : xh >> (<u64>(7 - i) << 3)) & 0xff);
    if (i != 15) {
      const rem = <usize>(zl & 0xf);
      zl = (zh << 60) | (zl >> 4);
      zh = (zh >> 4) ^ (load<u64>(LAST4 + (rem << 3)) << 48);
    }
    const lo = table + ((<usize>byte & 0xf) << 4);
    zh ^= load<u64>(lo);
    zl ^= load<u64>(lo, 8);
    const rem = <usize>(zl & 0xf);
    zl = (zh << 60) | (zl >> 4);
    zh = (zh >> 4) ^ (load<u64>(LAST4 + (rem << 3)) << 48);
    const hi = table + ((<usize>byte >> 4) << 4);
    zh ^= load<u64>(hi);
    zl ^= load<u64>(hi, 8);
  }
  xh = zh;
  xl = zl;
}

/** X = X · H with an 8-bit (`wide`) or 4-bit table. */
@inline function mul(table: usize, wide: bool): void {
  if (wide) mulH8(table);
  else mulH(table);
}

/** Absorbs `len` bytes at `p`, the last block zero-padded (SP 800-38D §6.4). */
function ghashUpdate(table: usize, wide: bool, p: usize, len: u32): void {
  let off: u32 = 0;
  while (len - off >= 16) {
    xh ^= bswap<u64>(load<u64>(p + off));
    xl ^= bswap<u64>(load<u64>(p + off, 8));
    mul(table, wide);
    off += 16;
  }
  if (off < len) {
    const block = SCRATCH + 208;
    memory.fill(block, 0, 16);
    memory.copy(block, p + off, len - off);
    xh ^= bswap<u64>(load<u64>(block));
    xl ^= bswap<u64>(load<u64>(block, 8));
    mul(table, wide);
  }
}

/**
 * GCM with a 96-bit IV (words iv0..iv2): encrypts (or, with `decrypt`, first authenticates) the
 * `len` bytes at `src` into `dst`, with `aadLen` bytes of AAD at `aad`, and writes the 16-byte tag
 * to `tag`. The caller compares tags for decryption. `wide`: `table` is 8-bit (else 4-bit).
 */
export function gcm(rk: usize, table: usize, wide: bool, iv0: u32, iv1: u32, iv2: u32, aad: usize, aadLen: u32, src: usize, dst: usize, len: u32, tag: usize, decrypt: bool): void {
  xh = 0;
  xl = 0;
  ghashUpdate(table, wide, aad, aadLen);
  if (decrypt) ghashUpdate(table, wide, src, len);
  aesCtrXor(rk, iv0, iv1, iv2, 2, src, dst, len);
  if (!decrypt) ghashUpdate(table, wide, dst, len);
  xh ^= <u64>aadLen << 3;
  xl ^= <u64>len << 3;
  mul(table, wide);
  // Tag = GHASH XOR E(K, J0), J0 = IV || 0x00000001.
  store<u64>(tag, bswap<u64>(xh));
  store<u64>(tag, bswap<u64>(xl), 8);
  aesCtrXor(rk, iv0, iv1, iv2, 1, tag, tag, 16);
}

/**
 * The GCM tag of ciphertext already produced elsewhere: GHASH(AAD, C) XOR `mask`, where `mask` is
 * E(K, J0) (from a keystream cache). `table` is 8-bit. Writes 16 bytes to `tag`.
 */
export function gcmTagWithMask(table: usize, aad: usize, aadLen: u32, ct: usize, len: u32, mask: usize, tag: usize): void {
  xh = 0;
  xl = 0;
  ghashUpdate(table, true, aad, aadLen);
  ghashUpdate(table, true, ct, len);
  xh ^= <u64>aadLen << 3;
  xl ^= <u64>len << 3;
  mulH8(table);
  store<u64>(tag, bswap<u64>(xh) ^ load<u64>(mask));
  store<u64>(tag, bswap<u64>(xl) ^ load<u64>(mask, 8), 8);
}
