// AES-128 encryption (FIPS-197) with 32-bit T-tables, and the AES-CM keystream of RFC 3711 §4.1.1.
// Only the forward cipher is needed: counter mode encrypts and decrypts with it.
import { SBOX, TE } from './layout';

function xtime(x: u32): u32 {
  return ((x << 1) ^ ((x & 0x80) != 0 ? 0x1b : 0)) & 0xff;
}

/** Fills the S-box and the four T-tables; called once by init(). */
export function aesInitTables(): void {
  // S-box from the multiplicative inverse in GF(2^8) walked with generator 3 (p) and its inverse (q).
  let p: u32 = 1;
  let q: u32 = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if ((q & 0x80) != 0) q ^= 0x09;
    const r = q ^ rot8(q, 1) ^ rot8(q, 2) ^ rot8(q, 3) ^ rot8(q, 4);
    store<u8>(SBOX + p, <u8>(r ^ 0x63));
  } while (p != 1);
  store<u8>(SBOX, 0x63);
  for (let x: u32 = 0; x < 256; x++) {
    const s: u32 = load<u8>(SBOX + x);
    const t0 = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    store<u32>(TE + (x << 2), t0);
    store<u32>(TE + (x << 2), rotr<u32>(t0, 8), 1024);
    store<u32>(TE + (x << 2), rotr<u32>(t0, 16), 2048);
    store<u32>(TE + (x << 2), rotr<u32>(t0, 24), 3072);
  }
}

function rot8(x: u32, n: u32): u32 {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

function subWord(w: u32): u32 {
  return (
    (<u32>load<u8>(SBOX + (w >>> 24)) << 24) |
    (<u32>load<u8>(SBOX + ((w >>> 16) & 255)) << 16) |
    (<u32>load<u8>(SBOX + ((w >>> 8) & 255)) << 8) |
    <u32>load<u8>(SBOX + (w & 255))
  );
}

/** Expands the 16-byte key at `key` into 44 big-endian round-key words at `rk` (FIPS-197 §5.2). */
export function aesExpandKey(key: usize, rk: usize): void {
  for (let i: u32 = 0; i < 4; i++) store<u32>(rk + (i << 2), bswap<u32>(load<u32>(key + (i << 2))));
  let rcon: u32 = 1;
  for (let i: u32 = 4; i < 44; i++) {
    let t = load<u32>(rk + ((i - 1) << 2));
    if ((i & 3) == 0) {
      t = subWord(rotl<u32>(t, 8)) ^ (rcon << 24);
      rcon = xtime(rcon);
    }
    store<u32>(rk + (i << 2), load<u32>(rk + ((i - 4) << 2)) ^ t);
  }
}

// T-table lookups of byte 3 (most significant) .. byte 0 of a state word: the shift and mask
// yield the byte × 4 directly, and the table base is an immediate offset of the load.
@inline function t0(w: u32): u32 {
  return load<u32>((w >>> 22) & 0x3fc, TE);
}
@inline function t1(w: u32): u32 {
  return load<u32>((w >>> 14) & 0x3fc, TE + 1024);
}
@inline function t2(w: u32): u32 {
  return load<u32>((w >>> 6) & 0x3fc, TE + 2048);
}
@inline function t3(w: u32): u32 {
  return load<u32>((w << 2) & 0x3fc, TE + 3072);
}

@inline function last(a: u32, b: u32, c: u32, d: u32): u32 {
  return (
    (<u32>load<u8>(SBOX + (a >>> 24)) << 24) |
    (<u32>load<u8>(SBOX + ((b >>> 16) & 255)) << 16) |
    (<u32>load<u8>(SBOX + ((c >>> 8) & 255)) << 8) |
    <u32>load<u8>(SBOX + (d & 255))
  );
}

/**
 * XORs `len` bytes from `src` into `dst` (may be equal) with the AES-CM keystream whose first
 * counter block is the big-endian words (c0, c1, c2, c3); the low 16 bits of c3 count blocks.
 */
export function aesCtrXor(rk: usize, c0: u32, c1: u32, c2: u32, c3: u32, src: usize, dst: usize, len: u32): void {
  const k0 = load<u32>(rk), k1 = load<u32>(rk, 4), k2 = load<u32>(rk, 8), k3 = load<u32>(rk, 12);
  let off: u32 = 0;
  let block: u32 = 0;
  while (off < len) {
    let s0 = c0 ^ k0, s1 = c1 ^ k1, s2 = c2 ^ k2, s3 = (c3 + block) ^ k3;
    // Rounds 1–9 (unrolling them measured no faster under V8).
    let r = rk + 16;
    for (let round = 1; round < 10; round++) {
      const u0 = t0(s0) ^ t1(s1) ^ t2(s2) ^ t3(s3) ^ load<u32>(r);
      const u1 = t0(s1) ^ t1(s2) ^ t2(s3) ^ t3(s0) ^ load<u32>(r, 4);
      const u2 = t0(s2) ^ t1(s3) ^ t2(s0) ^ t3(s1) ^ load<u32>(r, 8);
      const u3 = t0(s3) ^ t1(s0) ^ t2(s1) ^ t3(s2) ^ load<u32>(r, 12);
      s0 = u0;
      s1 = u1;
      s2 = u2;
      s3 = u3;
      r += 16;
    }
    const o0 = bswap<u32>(last(s0, s1, s2, s3) ^ load<u32>(r));
    const o1 = bswap<u32>(last(s1, s2, s3, s0) ^ load<u32>(r, 4));
    const o2 = bswap<u32>(last(s2, s3, s0, s1) ^ load<u32>(r, 8));
    const o3 = bswap<u32>(last(s3, s0, s1, s2) ^ load<u32>(r, 12));
    const p = src + off;
    const q = dst + off;
    if (len - off >= 16) {
      store<u32>(q, load<u32>(p) ^ o0);
      store<u32>(q, load<u32>(p, 4) ^ o1, 4);
      store<u32>(q, load<u32>(p, 8) ^ o2, 8);
      store<u32>(q, load<u32>(p, 12) ^ o3, 12);
    } else {
      // Tail: keystream bytes in memory order are the little-endian bytes of o0..o3.
      const n = len - off;
      for (let i: u32 = 0; i < n; i++) {
        const word = i < 4 ? o0 : i < 8 ? o1 : i < 12 ? o2 : o3;
        store<u8>(q + i, load<u8>(p + i) ^ <u8>(word >>> ((i & 3) << 3)));
      }
    }
    off += 16;
    block++;
  }
}
