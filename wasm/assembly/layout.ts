// Memory layout of the fan-out engine. Static tables live in the module's data segment
// (`memory.data`, constant addresses the JIT can fold); the per-instance regions (contexts, input,
// subscriber list, output tables, arena) are placed after __heap_base by init(), which grows the
// memory once. Nothing grows afterwards: JS keeps views on `memory.buffer` for the instance's life.

/** AES T-tables Te0..Te3, 4 × 256 u32 (FIPS-197 §5.1 combined SubBytes/ShiftRows/MixColumns). */
export const TE: usize = memory.data(4096, 64);
/** AES S-box, 256 bytes. */
export const SBOX: usize = memory.data(256, 64);
/** SHA-1 scratch: running state (20 B at +0), final block (64 B at +64), saved tag (16 B at +128). */
export const SCRATCH: usize = memory.data(256, 64);
/** Key staging area JS writes into before ctxSetup(): key at +0, salt at +16, auth key at +32. */
export const KEYS: usize = memory.data(256, 16);
/** Counters, u32 each; indices below. */
export const STATS: usize = memory.data(64, 16);

export const STAT_PACKETS: u32 = 0; // ingress packets fanned out
export const STAT_COPIES: u32 = 1; // protected copies written
export const STAT_MALFORMED: u32 = 2; // RTP/RTCP failing the header checks
export const STAT_AUTH_FAILED: u32 = 3; // SRTP/SRTCP tag mismatch
export const STAT_REPLAYED: u32 = 4; // replayed or too old for the window (RFC 3711 §3.3.2)
export const STAT_BAD_CONTEXT: u32 = 5; // context id out of range or of the wrong kind
export const STAT_TOO_LONG: u32 = 6; // packet + tag larger than a slot
export const STAT_UNPROTECTED: u32 = 7; // ingress packets unprotected successfully
export const STAT_CACHE_HITS: u32 = 8; // copies protected from a keystream cache (keystream.ts)

/** Error codes returned (negated) by the entry points. */
export const ERR_TOO_SHORT: i32 = -1;
export const ERR_BAD_VERSION: i32 = -2;
export const ERR_BAD_HEADER: i32 = -3;
export const ERR_AUTH: i32 = -4;
export const ERR_REPLAY: i32 = -5;
export const ERR_BAD_CONTEXT: i32 = -6;
export const ERR_TOO_MANY: i32 = -7;
export const ERR_TOO_LONG: i32 = -8;
export const ERR_NOT_INITIALIZED: i32 = -9;

// Context record: one per SRTP stream direction. Field offsets in bytes.
export const CTX_SIZE: u32 = 5248;
export const C_KIND: u32 = 0; // 0 free, 1 egress (protect), 2 ingress (unprotect)
export const C_PROFILE: u32 = 4;
export const C_SSRC: u32 = 8; // egress: SSRC written into every copy
export const C_PT: u32 = 12; // egress: payload type to write, or -1 to keep
export const C_SRC_SSRC: u32 = 16; // egress: source SSRC the offsets were computed for
export const C_FLAGS: u32 = 20;
export const C_SEQ_OFF: u32 = 24;
export const C_TS_OFF: u32 = 28;
export const C_LAST_SEQ: u32 = 32; // egress: newest sequence number written
export const C_LAST_TS: u32 = 36; // egress: its timestamp
export const C_TS_STEP: u32 = 40; // egress: timestamp gap added at a source switch
export const C_ROC: u32 = 44; // rollover counter (RFC 3711 §3.3.1)
export const C_S_L: u32 = 48; // highest sequence number seen/sent with this ROC
export const C_INIT_SEQ: u32 = 52; // egress: first output sequence number
export const C_INIT_TS: u32 = 56; // egress: first output timestamp
export const C_CACHE: u32 = 60; // egress: keystream cache id + 1, or 0 (keystream.ts)
export const C_REPLAY_TOP: u32 = 64; // ingress: highest authenticated index (u64)
export const C_REPLAY_MAP: u32 = 72; // ingress: 64-packet window bitmap (u64), bit i = top - i seen
export const C_SRTCP_INDEX: u32 = 80; // egress: next SRTCP index; ingress: highest seen
export const C_SRTCP_TOP: u32 = 88; // ingress SRTCP replay top (u64)
export const C_SRTCP_MAP: u32 = 96; // ingress SRTCP replay bitmap (u64)
export const C_CACHE_TOP: u32 = 104; // egress: highest packet index whose keystream was requested (u64)
export const C_SALT: u32 = 112; // SRTP session salt, 14 bytes + 2 zero
export const C_RK: u32 = 128; // SRTP AES-128 round keys, 44 u32
export const C_HI: u32 = 304; // SRTP HMAC inner state, 5 u32
export const C_HO: u32 = 324; // SRTP HMAC outer state, 5 u32
export const C_RTCP_SALT: u32 = 352; // SRTCP session salt
export const C_RTCP_RK: u32 = 368; // SRTCP round keys
export const C_RTCP_HI: u32 = 544;
export const C_RTCP_HO: u32 = 564;
// 608..864 unused
export const C_RTCP_GHASH: u32 = 864; // AEAD_AES_128_GCM: SRTCP GHASH 4-bit table, 16 × (HH, HL) u64; ends at 1120
export const C_GHASH: u32 = 1152; // SRTP GHASH 8-bit table, 256 × (HH, HL) u64 (per-packet path); ends at 5248

export const F_HAS_SRC: u32 = 1; // offsets computed for C_SRC_SSRC
export const F_REBASE: u32 = 2; // recompute offsets at the next packet
export const F_HAS_OUT: u32 = 4; // at least one packet written (C_LAST_* valid)
export const F_HAS_INDEX: u32 = 8; // C_ROC / C_S_L hold a packet
export const F_HAS_REPLAY: u32 = 16; // C_REPLAY_* hold a packet
export const F_HAS_RTCP_REPLAY: u32 = 32;

/** No protection: the rewrite only (plain RTP endpoints, RFC 3550); egress only, not a DTLS-SRTP id. */
export const PROFILE_PLAIN: u32 = 0;
export const PROFILE_AES128_CM_HMAC_SHA1_80: u32 = 1;
export const PROFILE_AEAD_AES_128_GCM: u32 = 7;
export const TAG_LEN: u32 = 10;
export const GCM_TAG_LEN: u32 = 16;
