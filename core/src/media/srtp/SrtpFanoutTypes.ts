// The public shapes of Cardea's SRTP fan-out path (issue #3): one ingress packet in, K rewritten,
// SRTP-protected copies out, written into preallocated memory the caller hands to its sockets.
// Two engines implement it: `wasm` (WasmSrtpFanout, AssemblyScript in wasm/assembly/) and `node`
// (NodeCryptoSrtpFanout, the node:crypto baseline). createSrtpFanout() picks one from the config.

/** Which implementation runs the per-packet path (config `media.srtpEngine`). */
export type SrtpEngineKind = 'wasm' | 'node';

/** DTLS-SRTP protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SrtpProfile = {
  /**
   * No protection, the rewrite only (Cardea's own id 0, reserved in RFC 5764 §4.1.2's registry):
   * egress streams of plain RTP endpoints (RFC 3550), whose copies leave unencrypted and untagged.
   * The master key and salt are ignored (pass empty arrays).
   */
  plain: 0x0000,
  /** AES_CM_128_HMAC_SHA1_80 (RFC 3711): 10-byte tag. */
  aes128CmHmacSha1_80: 0x0001,
  /** AEAD_AES_128_GCM (RFC 7714): 16-byte tag; what werift picks when it is the DTLS server. */
  aeadAes128Gcm: 0x0007,
} as const;
export type SrtpProfileId = (typeof SrtpProfile)[keyof typeof SrtpProfile];

/** The master key and salt of one direction, as DTLS-SRTP exports them (RFC 5764 §4.2). */
export interface SrtpMasterKey {
  profile: number;
  /** 16 bytes. */
  masterKey: Uint8Array;
  /** 14 bytes (AES-CM) or 12 bytes (GCM). */
  masterSalt: Uint8Array;
}

/** Per-subscriber RTP header rewrite, applied to every copy fanned out to that subscriber. */
export interface RtpRewrite {
  /** SSRC written into every copy (the SSRC the subscriber's SDP announces). */
  ssrc: number;
  /** Payload type to write (the subscriber's negotiated PT); default: keep the source's. */
  payloadType?: number;
  /**
   * Timestamp gap inserted when the source switches (a new SSRC, or rebase()); default 3000 (33 ms
   * of 90 kHz video). Callers that know the elapsed time should pass elapsed × clock rate.
   */
  timestampStep?: number;
  /** First output sequence number; default random (RFC 3550 §5.1). */
  initialSequence?: number;
  /** First output timestamp; default random (RFC 3550 §5.1). */
  initialTimestamp?: number;
}

/** Sizing of an engine instance. Fixed at creation: the engine never allocates per packet. */
export interface SrtpFanoutOptions {
  /** Streams (egress + ingress contexts) the instance can hold (default 1024). */
  maxStreams?: number;
  /** Copies one fanout() call may produce (default 128). */
  maxSubscribers?: number;
  /** Largest plaintext RTP/RTCP packet accepted, in bytes (default 1500). */
  maxPacketBytes?: number;
  /**
   * Output slots in the arena ring (default 4 × maxSubscribers). A copy's bytes stay untouched
   * until at least `arenaSlots − maxSubscribers` further copies have been written, so views handed
   * to a socket whose send is deferred (dgram's address lookup runs on process.nextTick) stay valid.
   */
  arenaSlots?: number;
  /**
   * WASM engine only: an egress stream that sends a packet of at least this many bytes gets a
   * keystream cache (wasm/assembly/keystream.ts). Software AES in WASM costs ~8 cycles/byte; a cache
   * holds the AES-CM/GCM keystream of the stream's next 15 packet indices, made by ONE node:crypto
   * AES-ECB call (AES-NI) per refill, so fanout() only XORs. Default 300 (measured crossover, see
   * `npm run bench -- fanout`); Infinity keeps all AES in WASM (no per-packet JS allocation).
   */
  nativeAesMinBytes?: number;
  /** WASM engine only: keystream caches (~24 KB each at 1500-byte packets; default maxSubscribers). */
  keystreamCaches?: number;
}

/** Result codes below zero returned by the per-packet calls; never thrown. */
export const SrtpResult = {
  tooShort: -1,
  badVersion: -2,
  badHeader: -3,
  authFailed: -4,
  replayed: -5,
  badStream: -6,
  tooManySubscribers: -7,
  tooLong: -8,
} as const;

/** Counters since creation; reading them allocates, so poll them, don't read per packet. */
export interface SrtpFanoutStats {
  /** Ingress packets fanned out (fanout() calls that wrote). */
  packets: number;
  /** Protected copies written. */
  copies: number;
  /** Packets failing the RTP/RTCP header checks (too short, version ≠ 2, lengths). */
  malformed: number;
  /** SRTP/SRTCP packets whose authentication tag did not verify. */
  authFailed: number;
  /** Replayed or too old for the 64-packet window (RFC 3711 §3.3.2). */
  replayed: number;
  /** Stream ids that were unknown or of the wrong direction. */
  badStream: number;
  /** Packets larger than maxPacketBytes. */
  tooLong: number;
  /** Ingress packets unprotected successfully. */
  unprotected: number;
  /** Copies whose AES keystream came from a keystream cache (WASM engine; always 0 for node). */
  keystreamCacheHits: number;
}

/**
 * One fan-out engine. Per packet, the caller copies the datagram into `input`, calls unprotect()
 * (ingress SRTP → plaintext in place) and fanout(); then sends `arena` bytes
 * [outOffsets[i], outOffsets[i] + outLengths[i]) for i < the returned count. No per-packet call
 * allocates or throws; bad packets return a negative SrtpResult and are counted in stats().
 */
export interface SrtpFanout {
  readonly engine: SrtpEngineKind;
  readonly maxSubscribers: number;
  readonly maxPacketBytes: number;
  /** Where the caller writes the packet for unprotect/fanout/protectRtcp/unprotectRtcp. */
  readonly input: Buffer;
  /** The output arena; offsets in `outOffsets` index into it. */
  readonly arena: Buffer;
  /** Offsets of the copies written by the last fanout(), in subscriber order. */
  readonly outOffsets: Uint32Array;
  /** Lengths of those copies (plaintext length + the stream's tag: 10 bytes AES-CM, 16 GCM). */
  readonly outLengths: Uint32Array;
  /** Adds a stream that protects copies for one subscriber; returns its id. */
  addEgress(key: SrtpMasterKey, rewrite: RtpRewrite): number;
  /** Adds a stream that unprotects one publisher's packets; returns its id. */
  addIngress(key: SrtpMasterKey): number;
  /** Changes an egress stream's rewrite; sequence/ROC state is kept. */
  setRewrite(id: number, rewrite: RtpRewrite): void;
  /** Forces an egress stream to continue its sequence and timeline at the next packet (a switch). */
  rebase(id: number, timestampStep: number): void;
  /**
   * Adds `delta` (mod 2^16) to an egress stream's sequence offset until its next source switch: −1
   * for each source packet the caller chose not to forward keeps the subscriber's sequence gap-free;
   * a temporary shift writes a retransmission with the sequence number it was first sent with.
   */
  shiftSequence(id: number, delta: number): void;
  /** Frees a stream id for reuse. */
  remove(id: number): void;
  /** Verifies and decrypts the SRTP packet in `input` in place; plaintext length or a negative SrtpResult. */
  unprotect(id: number, length: number): number;
  /**
   * Writes one rewritten, protected copy of the plaintext RTP packet in `input` per egress stream
   * id in `subscribers[0..count)`; returns the number written or a negative SrtpResult. Throws
   * FanoutCapacityError when count > maxSubscribers (a caller bug, not a packet problem).
   */
  fanout(length: number, subscribers: ArrayLike<number>, count: number): number;
  /** Protects the RTCP packet in `input` in place for an egress stream (RFC 3711 §3.4); new length. */
  protectRtcp(id: number, length: number): number;
  /** Verifies and decrypts the SRTCP packet in `input` in place; RTCP length or a negative SrtpResult. */
  unprotectRtcp(id: number, length: number): number;
  stats(): SrtpFanoutStats;
}

/** A caller bug about sizing: too many subscribers for one call, or no free stream id. */
export class FanoutCapacityError extends Error {
  override name = 'FanoutCapacityError';
}

/** The negotiated profile is one this engine does not implement. */
export class UnsupportedSrtpProfileError extends Error {
  override name = 'UnsupportedSrtpProfileError';
}
