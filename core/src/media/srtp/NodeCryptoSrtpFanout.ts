// The baseline engine: the same per-packet path as the WASM engine in plain TypeScript with
// node:crypto (AES-NI and SHA extensions through OpenSSL). node:crypto has no way to re-key a
// cipher or restart an HMAC without a new object, so what can be reused is: one long-lived
// AES-128-ECB cipher per stream that turns a preallocated buffer of counter blocks into keystream
// (cheaper than a new CTR cipher for small payloads), a KeyObject per key, preallocated input /
// arena / IV buffers. Per packet it still creates an HMAC object, and for payloads above
// `ecbMaxPayload` a CTR cipher (GCM: one GCM cipher object per packet, node:crypto's only way):
// that per-object cost is what the WASM engine exists to remove.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomInt, type Cipheriv, type KeyObject } from 'node:crypto';
import { deriveSrtpSessionKeys } from './srtpKeyDerivation.ts';
import { acceptIndex, estimateRoc, isReplay, updateIndex, type IndexState, type ReplayWindow } from './srtpIndex.ts';
import { StreamIds } from './StreamIds.ts';
import { resolveFanoutOptions, slotBytesFor } from './WasmSrtpFanout.ts';
import {
  FanoutCapacityError,
  SrtpProfile,
  SrtpResult,
  type RtpRewrite,
  type SrtpFanout,
  type SrtpFanoutOptions,
  type SrtpFanoutStats,
  type SrtpMasterKey,
} from './SrtpFanoutTypes.ts';

const tagLength = 10;
const gcmTagLength = 16;
/** Placeholder key material of plain streams (never used to protect). */
const zeroKey = Buffer.alloc(16);
/** Payloads up to this many bytes use the stream's ECB keystream; larger ones a per-packet CTR cipher (measured crossover). */
const ecbMaxPayload = 256;

/** Keys of one direction of SRTP or SRTCP, ready for per-packet use. */
interface CipherKeys {
  /** AEAD_AES_128_GCM (RFC 7714) rather than AES-CM + HMAC-SHA1-80. */
  gcm: boolean;
  key: KeyObject;
  /** Long-lived ECB cipher: encrypting counter blocks yields the AES-CM keystream. */
  ecb: Cipheriv;
  salt: Buffer;
  /** HMAC-SHA1 key (AES-CM only). */
  authKey: KeyObject | undefined;
}

interface Stream extends IndexState, ReplayWindow {
  egress: boolean;
  /** SrtpProfile.plain: copies are rewritten, not protected (egress only). */
  plain: boolean;
  rtp: CipherKeys;
  rtcp: CipherKeys;
  ssrc: number;
  payloadType: number;
  timestampStep: number;
  initialSequence: number;
  initialTimestamp: number;
  hasSource: boolean;
  rebase: boolean;
  hasOutput: boolean;
  sourceSsrc: number;
  seqOffset: number;
  tsOffset: number;
  lastSeq: number;
  lastTs: number;
  srtcpIndex: number;
  rtcpReplay: ReplayWindow;
}

function cipherKeys(key: Buffer, salt: Buffer, authKey: Buffer): CipherKeys {
  const ecb = createCipheriv('aes-128-ecb', key, null);
  ecb.setAutoPadding(false);
  const gcm = authKey.length === 0;
  return { gcm, key: createSecretKey(key), ecb, salt, authKey: gcm ? undefined : createSecretKey(authKey) };
}

/** The node:crypto engine; create it with createSrtpFanout({ engine: 'node' }). */
export class NodeCryptoSrtpFanout implements SrtpFanout {
  readonly engine = 'node' as const;
  readonly maxSubscribers: number;
  readonly maxPacketBytes: number;
  readonly input: Buffer;
  readonly arena: Buffer;
  readonly outOffsets: Uint32Array;
  readonly outLengths: Uint32Array;
  readonly #streams: (Stream | undefined)[];
  readonly #ids: StreamIds;
  readonly #slotBytes: number;
  readonly #slotCount: number;
  #cursor = 0;
  readonly #iv = Buffer.alloc(16);
  readonly #gcmIv = Buffer.alloc(12);
  readonly #gcmAad = Buffer.alloc(12);
  readonly #counters: Buffer;
  readonly #roc = Buffer.alloc(4);
  readonly #stats: SrtpFanoutStats = {
    packets: 0,
    copies: 0,
    malformed: 0,
    authFailed: 0,
    replayed: 0,
    badStream: 0,
    tooLong: 0,
    unprotected: 0,
    keystreamCacheHits: 0,
  };

  constructor(options: SrtpFanoutOptions = {}) {
    const resolved = resolveFanoutOptions(options);
    this.maxSubscribers = resolved.maxSubscribers;
    this.maxPacketBytes = resolved.maxPacketBytes;
    this.#slotBytes = slotBytesFor(resolved.maxPacketBytes);
    this.#slotCount = resolved.arenaSlots;
    this.input = Buffer.alloc(this.#slotBytes);
    this.arena = Buffer.alloc(this.#slotBytes * this.#slotCount);
    this.outOffsets = new Uint32Array(resolved.maxSubscribers);
    this.outLengths = new Uint32Array(resolved.maxSubscribers);
    this.#counters = Buffer.alloc(ecbMaxPayload + 16);
    this.#streams = new Array<Stream | undefined>(resolved.maxStreams).fill(undefined);
    this.#ids = new StreamIds(resolved.maxStreams);
  }

  addEgress(key: SrtpMasterKey, rewrite: RtpRewrite): number {
    const id = this.#add(key, true);
    const s = this.#streams[id] as Stream;
    s.initialSequence = rewrite.initialSequence ?? randomInt(0x10000);
    s.initialTimestamp = rewrite.initialTimestamp ?? randomInt(0x100000000);
    this.setRewrite(id, { ...rewrite, initialSequence: s.initialSequence, initialTimestamp: s.initialTimestamp });
    return id;
  }

  addIngress(key: SrtpMasterKey): number {
    return this.#add(key, false);
  }

  setRewrite(id: number, rewrite: RtpRewrite): void {
    const s = this.#egress(id);
    s.ssrc = rewrite.ssrc >>> 0;
    s.payloadType = rewrite.payloadType ?? -1;
    s.timestampStep = (rewrite.timestampStep ?? 3000) >>> 0;
    s.initialSequence = (rewrite.initialSequence ?? 0) & 0xffff;
    s.initialTimestamp = (rewrite.initialTimestamp ?? 0) >>> 0;
  }

  rebase(id: number, timestampStep: number): void {
    const s = this.#egress(id);
    s.timestampStep = timestampStep >>> 0;
    s.rebase = true;
  }

  shiftSequence(id: number, delta: number): void {
    const s = this.#egress(id);
    s.seqOffset = (s.seqOffset + delta) & 0xffff;
  }

  remove(id: number): void {
    this.#streams[id] = undefined;
    this.#ids.release(id);
  }

  fanout(length: number, subscribers: ArrayLike<number>, count: number): number {
    if (count > this.maxSubscribers)
      throw new FanoutCapacityError(`fanout to ${count} subscribers exceeds maxSubscribers ${this.maxSubscribers}`);
    const input = this.input;
    const hdr = rtpHeaderLength(input, length, 0);
    if (hdr < 0) {
      this.#stats.malformed++;
      return hdr;
    }
    if (length > this.maxPacketBytes) {
      this.#stats.tooLong++;
      return SrtpResult.tooLong;
    }
    if (this.#cursor + count > this.#slotCount) this.#cursor = 0;
    const b1 = input[1] ?? 0;
    const inSeq = input.readUInt16BE(2);
    const inTs = input.readUInt32BE(4);
    const inSsrc = input.readUInt32BE(8);
    let written = 0;
    for (let i = 0; i < count; i++) {
      const s = this.#streams[subscribers[i] ?? -1];
      if (s === undefined || !s.egress) {
        this.#stats.badStream++;
        continue;
      }
      if (!s.hasSource || s.rebase || s.sourceSsrc !== inSsrc) {
        // Source switch: continue the output sequence and timeline where the previous source left it.
        const seq0 = s.hasOutput ? s.lastSeq + 1 : s.initialSequence;
        const ts0 = s.hasOutput ? s.lastTs + s.timestampStep : s.initialTimestamp;
        s.seqOffset = (seq0 - inSeq) & 0xffff;
        s.tsOffset = (ts0 - inTs) >>> 0;
        s.sourceSsrc = inSsrc;
        s.hasSource = true;
        s.rebase = false;
      }
      const seq = (inSeq + s.seqOffset) & 0xffff;
      const ts = (inTs + s.tsOffset) >>> 0;
      const roc = estimateRoc(s, seq);
      if (roc < 0) {
        this.#stats.replayed++; // a straggler from before ROC 0: its index cannot be expressed
        continue;
      }
      const slot = (this.#cursor + written) * this.#slotBytes;
      const out = this.arena;
      input.copy(out, slot, 0, hdr);
      if (s.payloadType >= 0) out[slot + 1] = (b1 & 0x80) | (s.payloadType & 0x7f);
      out.writeUInt16BE(seq, slot + 2);
      out.writeUInt32BE(ts, slot + 4);
      out.writeUInt32BE(s.ssrc, slot + 8);
      let outLength = length + tagLength;
      if (s.plain) {
        input.copy(out, slot + hdr, hdr, length);
        outLength = length;
      } else if (s.rtp.gcm) {
        const cipher = createCipheriv('aes-128-gcm', s.rtp.key, this.#rtpGcmIv(s.rtp.salt, s.ssrc, roc, seq));
        cipher.setAAD(out.subarray(slot, slot + hdr));
        cipher.update(input.subarray(hdr, length)).copy(out, slot + hdr);
        cipher.final();
        cipher.getAuthTag().copy(out, slot + length);
        outLength = length + gcmTagLength;
      } else {
        this.#ctr(s.rtp, s.ssrc, roc, seq << 16, input, hdr, length, out, slot + hdr);
        out.writeUInt32BE(roc, slot + length);
        createHmac('sha1', s.rtp.authKey as KeyObject)
          .update(out.subarray(slot, slot + length + 4))
          .digest()
          .copy(out, slot + length, 0, tagLength);
      }
      updateIndex(s, roc, seq);
      if (!s.hasOutput || ((seq - s.lastSeq) & 0xffff) - 1 < 0x7fff) {
        s.lastSeq = seq;
        s.lastTs = ts;
        s.hasOutput = true;
      }
      this.outOffsets[written] = slot;
      this.outLengths[written] = outLength;
      written++;
    }
    this.#cursor += written;
    this.#stats.packets++;
    this.#stats.copies += written;
    return written;
  }

  unprotect(id: number, length: number): number {
    const s = this.#streams[id];
    if (s === undefined || s.egress) {
      this.#stats.badStream++;
      return SrtpResult.badStream;
    }
    const tagBytes = s.rtp.gcm ? gcmTagLength : tagLength;
    if (length > this.maxPacketBytes + tagBytes) {
      this.#stats.tooLong++;
      return SrtpResult.tooLong;
    }
    const input = this.input;
    const hdr = rtpHeaderLength(input, length, tagBytes);
    if (hdr < 0) {
      this.#stats.malformed++;
      return hdr;
    }
    const seq = input.readUInt16BE(2);
    const v = estimateRoc(s, seq);
    const index = v * 0x10000 + seq;
    if (v < 0 || isReplay(s, index)) {
      this.#stats.replayed++;
      return SrtpResult.replayed;
    }
    const authLength = length - tagBytes;
    if (s.rtp.gcm) {
      const iv = this.#rtpGcmIv(s.rtp.salt, input.readUInt32BE(8), v, seq);
      const plain = gcmOpen(s.rtp.key, iv, input.subarray(0, hdr), input.subarray(hdr, authLength), input.subarray(authLength, length));
      if (plain === undefined) {
        this.#stats.authFailed++;
        return SrtpResult.authFailed;
      }
      plain.copy(input, hdr);
    } else {
      this.#roc.writeUInt32BE(v, 0);
      const mac = createHmac('sha1', s.rtp.authKey as KeyObject)
        .update(input.subarray(0, authLength))
        .update(this.#roc)
        .digest();
      if (!tagEquals(mac, input, authLength)) {
        this.#stats.authFailed++;
        return SrtpResult.authFailed;
      }
      this.#ctr(s.rtp, input.readUInt32BE(8), v, seq << 16, input, hdr, authLength, input, hdr);
    }
    acceptIndex(s, index);
    updateIndex(s, v, seq);
    this.#stats.unprotected++;
    return authLength;
  }

  protectRtcp(id: number, length: number): number {
    const s = this.#streams[id];
    if (s === undefined || !s.egress) {
      this.#stats.badStream++;
      return SrtpResult.badStream;
    }
    if (length > this.maxPacketBytes) {
      this.#stats.tooLong++;
      return SrtpResult.tooLong;
    }
    const input = this.input;
    const check = rtcpCheck(input, length, 0);
    if (check < 0) {
      this.#stats.malformed++;
      return check;
    }
    if (s.plain) return length; // plain RTCP (RFC 3550 §6)
    const index = s.srtcpIndex;
    s.srtcpIndex = (index + 1) & 0x7fffffff;
    const word = (index | 0x80000000) >>> 0;
    if (s.rtcp.gcm) {
      const cipher = createCipheriv('aes-128-gcm', s.rtcp.key, this.#rtcpGcmIv(s.rtcp.salt, input.readUInt32BE(4), index));
      cipher.setAAD(this.#rtcpAad(input, word));
      cipher.update(input.subarray(8, length)).copy(input, 8);
      cipher.final();
      cipher.getAuthTag().copy(input, length);
      input.writeUInt32BE(word, length + gcmTagLength);
      return length + gcmTagLength + 4;
    }
    this.#ctr(s.rtcp, input.readUInt32BE(4), index >>> 16, (index & 0xffff) << 16, input, 8, length, input, 8);
    input.writeUInt32BE(word, length);
    createHmac('sha1', s.rtcp.authKey as KeyObject)
      .update(input.subarray(0, length + 4))
      .digest()
      .copy(input, length + 4, 0, tagLength);
    return length + 4 + tagLength;
  }

  unprotectRtcp(id: number, length: number): number {
    const s = this.#streams[id];
    if (s === undefined || s.egress) {
      this.#stats.badStream++;
      return SrtpResult.badStream;
    }
    const tagBytes = s.rtcp.gcm ? gcmTagLength : tagLength;
    if (length > this.maxPacketBytes + 4 + tagBytes) {
      this.#stats.tooLong++;
      return SrtpResult.tooLong;
    }
    const input = this.input;
    const check = rtcpCheck(input, length, 4 + tagBytes);
    if (check < 0) {
      this.#stats.malformed++;
      return check;
    }
    const plainLength = length - 4 - tagBytes;
    const word = input.readUInt32BE(s.rtcp.gcm ? length - 4 : plainLength);
    if (s.rtcp.gcm && !(word & 0x80000000)) {
      this.#stats.malformed++; // unencrypted GCM SRTCP: browsers always encrypt, so not supported
      return SrtpResult.badHeader;
    }
    const index = word & 0x7fffffff;
    if (isReplay(s.rtcpReplay, index)) {
      this.#stats.replayed++;
      return SrtpResult.replayed;
    }
    if (s.rtcp.gcm) {
      const iv = this.#rtcpGcmIv(s.rtcp.salt, input.readUInt32BE(4), index);
      const tag = input.subarray(plainLength, plainLength + gcmTagLength);
      const plain = gcmOpen(s.rtcp.key, iv, this.#rtcpAad(input, word), input.subarray(8, plainLength), tag);
      if (plain === undefined) {
        this.#stats.authFailed++;
        return SrtpResult.authFailed;
      }
      plain.copy(input, 8);
    } else {
      const mac = createHmac('sha1', s.rtcp.authKey as KeyObject)
        .update(input.subarray(0, length - tagLength))
        .digest();
      if (!tagEquals(mac, input, length - tagLength)) {
        this.#stats.authFailed++;
        return SrtpResult.authFailed;
      }
      if (word & 0x80000000)
        this.#ctr(s.rtcp, input.readUInt32BE(4), index >>> 16, (index & 0xffff) << 16, input, 8, plainLength, input, 8);
    }
    acceptIndex(s.rtcpReplay, index);
    this.#stats.unprotected++;
    return plainLength;
  }

  stats(): SrtpFanoutStats {
    return { ...this.#stats };
  }

  /** Last sequence number written for an egress stream, or -1 before its first packet. */
  lastSequence(id: number): number {
    const s = this.#streams[id];
    return s?.egress && s.hasOutput ? s.lastSeq : -1;
  }

  /**
   * AES-CM (RFC 3711 §4.1.1) of src[from..to) into dst at `at`. IV words: salt XOR (0, ssrc, w2, w3)
   * where w2/w3 carry the packet index (SRTP: ROC and SEQ<<16; SRTCP: index>>>16 and index<<16).
   */
  #ctr(k: CipherKeys, ssrc: number, w2: number, w3: number, src: Buffer, from: number, to: number, dst: Buffer, at: number): void {
    const n = to - from;
    if (n <= 0) return;
    const salt = k.salt;
    const c0 = salt.readUInt32BE(0);
    const c1 = (salt.readUInt32BE(4) ^ ssrc) >>> 0;
    const c2 = (salt.readUInt32BE(8) ^ w2) >>> 0;
    const c3 = ((salt.readUInt16BE(12) << 16) ^ w3) >>> 0;
    if (n <= ecbMaxPayload) {
      const blocks = (n + 15) >>> 4;
      const counters = this.#counters;
      for (let b = 0; b < blocks; b++) {
        const o = b << 4;
        counters.writeUInt32BE(c0, o);
        counters.writeUInt32BE(c1, o + 4);
        counters.writeUInt32BE(c2, o + 8);
        counters.writeUInt32BE((c3 + b) >>> 0, o + 12);
      }
      const ks = k.ecb.update(counters.subarray(0, blocks << 4));
      for (let i = 0; i < n; i++) dst[at + i] = (src[from + i] ?? 0) ^ (ks[i] ?? 0);
      return;
    }
    const iv = this.#iv;
    iv.writeUInt32BE(c0, 0);
    iv.writeUInt32BE(c1, 4);
    iv.writeUInt32BE(c2, 8);
    iv.writeUInt32BE(c3, 12);
    createCipheriv('aes-128-ctr', k.key, iv).update(src.subarray(from, to)).copy(dst, at);
  }

  /** RFC 7714 §8.1: salt XOR (0x0000 || SSRC || ROC || SEQ). */
  #rtpGcmIv(salt: Buffer, ssrc: number, roc: number, seq: number): Buffer {
    const iv = this.#gcmIv;
    iv.writeUInt16BE(salt.readUInt16BE(0), 0);
    iv.writeUInt32BE((salt.readUInt32BE(2) ^ ssrc) >>> 0, 2);
    iv.writeUInt32BE((salt.readUInt32BE(6) ^ roc) >>> 0, 6);
    iv.writeUInt16BE(salt.readUInt16BE(10) ^ seq, 10);
    return iv;
  }

  /** RFC 7714 §9.1: salt XOR (0x0000 || SSRC || 0x0000 || SRTCP index). */
  #rtcpGcmIv(salt: Buffer, ssrc: number, index: number): Buffer {
    const iv = this.#gcmIv;
    iv.writeUInt16BE(salt.readUInt16BE(0), 0);
    iv.writeUInt32BE((salt.readUInt32BE(2) ^ ssrc) >>> 0, 2);
    iv.writeUInt16BE(salt.readUInt16BE(6), 6);
    iv.writeUInt32BE((salt.readUInt32BE(8) ^ index) >>> 0, 8);
    return iv;
  }

  /** RFC 7714 §9.1 AAD: the first 8 bytes of the RTCP packet || E-flag|index. */
  #rtcpAad(input: Buffer, word: number): Buffer {
    input.copy(this.#gcmAad, 0, 0, 8);
    this.#gcmAad.writeUInt32BE(word, 8);
    return this.#gcmAad;
  }

  #add(key: SrtpMasterKey, egress: boolean): number {
    const plain = key.profile === SrtpProfile.plain;
    if (plain && !egress) throw new RangeError('plain (unprotected) streams are egress only');
    // A plain stream never uses its ciphers; zero keys keep one Stream shape.
    const keys = plain ? { rtpKey: zeroKey, rtpSalt: zeroKey, rtpAuthKey: zeroKey, rtcpKey: zeroKey, rtcpSalt: zeroKey, rtcpAuthKey: zeroKey } : deriveSrtpSessionKeys(key);
    const id = this.#ids.take();
    this.#streams[id] = {
      egress,
      plain,
      rtp: cipherKeys(keys.rtpKey, keys.rtpSalt, keys.rtpAuthKey),
      rtcp: cipherKeys(keys.rtcpKey, keys.rtcpSalt, keys.rtcpAuthKey),
      ssrc: 0,
      payloadType: -1,
      timestampStep: 3000,
      initialSequence: 0,
      initialTimestamp: 0,
      hasSource: false,
      rebase: false,
      hasOutput: false,
      sourceSsrc: 0,
      seqOffset: 0,
      tsOffset: 0,
      lastSeq: 0,
      lastTs: 0,
      srtcpIndex: 0,
      rtcpReplay: { hasReplay: false, top: 0, low: 0, high: 0 },
      hasIndex: false,
      roc: 0,
      highestSeq: 0,
      hasReplay: false,
      top: 0,
      low: 0,
      high: 0,
    };
    return id;
  }

  #egress(id: number): Stream {
    const s = this.#streams[id];
    if (s === undefined || !s.egress) throw new RangeError(`stream ${id} is not an egress stream`);
    return s;
  }
}

/** RTP header length (RFC 3550 §5.1: fixed part, CSRCs, extension) or a negative SrtpResult. */
export function rtpHeaderLength(p: Buffer, length: number, trailer: number): number {
  if (length < 12 + trailer) return SrtpResult.tooShort;
  const b0 = p[0] ?? 0;
  if (b0 >>> 6 !== 2) return SrtpResult.badVersion;
  let hdr = 12 + ((b0 & 0x0f) << 2);
  if (b0 & 0x10) {
    if (hdr + 4 > length - trailer) return SrtpResult.badHeader;
    hdr += 4 + (p.readUInt16BE(hdr + 2) << 2);
  }
  return hdr > length - trailer ? SrtpResult.badHeader : hdr;
}

/** First RTCP header check (RFC 3550 §6.4.1, RFC 5761 §4 PT range): 8, or a negative SrtpResult. */
export function rtcpCheck(p: Buffer, length: number, trailer: number): number {
  if (length < 8 + trailer) return SrtpResult.tooShort;
  if ((p[0] ?? 0) >>> 6 !== 2) return SrtpResult.badVersion;
  const pt = p[1] ?? 0;
  return pt < 192 || pt > 223 ? SrtpResult.badHeader : 8;
}

/** AES-128-GCM decryption, or undefined when the tag does not verify. */
function gcmOpen(key: KeyObject, iv: Buffer, aad: Buffer, ciphertext: Buffer, tag: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-128-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch (_error) {
    return undefined; // node:crypto reports a tag mismatch only by throwing; the caller counts it
  }
  return plain;
}

/** Compares the first 10 bytes of `mac` with p[at..at+10) without an early exit. */
function tagEquals(mac: Buffer, p: Buffer, at: number): boolean {
  let diff = 0;
  for (let i = 0; i < tagLength; i++) diff |= (mac[i] ?? 0) ^ (p[at + i] ?? 0);
  return diff === 0;
}
