// Fixtures for the SRTP fan-out tests: RTP/RTCP packet builders, fixed keys, werift sessions as the
// independent implementation that unprotects what Cardea's engines protect (and vice versa).
import { SrtcpSession, SrtpSession } from 'werift';
import { createSrtpFanout } from '../../core/src/media/srtp/createSrtpFanout.ts';
import type { SrtpEngineKind, SrtpFanout, SrtpMasterKey } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';

export const engines: readonly SrtpEngineKind[] = ['wasm', 'node'];

/** Both profiles: AES_CM_128_HMAC_SHA1_80 (1) and AEAD_AES_128_GCM (7). */
export const profiles = [
  { id: 1, name: 'AES_CM_128_HMAC_SHA1_80', tag: 10 },
  { id: 7, name: 'AEAD_AES_128_GCM', tag: 16 },
] as const;

/** A deterministic master key: byte i = seed + i (salt 14 bytes, 12 for GCM). */
export function masterKey(seed: number, profile = 1): SrtpMasterKey {
  const bytes = (n: number, base: number) => Buffer.from(Array.from({ length: n }, (_, i) => (base + i) & 0xff));
  return { profile, masterKey: bytes(16, seed), masterSalt: bytes(profile === 7 ? 12 : 14, seed + 100) };
}

export interface RtpFields {
  seq: number;
  ts: number;
  ssrc: number;
  pt?: number;
  marker?: boolean;
  payloadBytes?: number;
  /** CSRC count (default 0). */
  csrcs?: number;
  /** Header extension words, 1–4 (default none). */
  extensionWords?: number;
}

/** An RTP packet (RFC 3550 §5.1) with a payload whose bytes depend on seq, so copies are checkable. */
export function rtpPacket(f: RtpFields): Buffer {
  const csrcs = f.csrcs ?? 0;
  const ext = f.extensionWords;
  const header = 12 + 4 * csrcs + (ext === undefined ? 0 : 4 + 4 * ext);
  const p = Buffer.alloc(header + (f.payloadBytes ?? 100));
  p[0] = 0x80 | (ext === undefined ? 0 : 0x10) | csrcs;
  p[1] = (f.marker ? 0x80 : 0) | (f.pt ?? 96);
  p.writeUInt16BE(f.seq & 0xffff, 2);
  p.writeUInt32BE(f.ts >>> 0, 4);
  p.writeUInt32BE(f.ssrc >>> 0, 8);
  for (let i = 0; i < csrcs; i++) p.writeUInt32BE(0x1000 + i, 12 + 4 * i);
  if (ext !== undefined) {
    const at = 12 + 4 * csrcs;
    p.writeUInt16BE(0xbede, at);
    p.writeUInt16BE(ext, at + 2);
    // One RFC 8285 one-byte element (ID 1) filling the extension, so parsers agree on its length.
    if (ext > 0) p[at + 4] = 0x10 | (4 * ext - 2);
    for (let i = 1; i < ext * 4; i++) p[at + 4 + i] = 0x20 + i;
  }
  for (let i = header; i < p.length; i++) p[i] = (f.seq * 7 + i) & 0xff;
  return p;
}

/** A receiver report (RFC 3550 §6.4.2) with one report block. */
export function rtcpReceiverReport(ssrc: number): Buffer {
  const p = Buffer.alloc(32);
  p[0] = 0x81;
  p[1] = 201;
  p.writeUInt16BE(7, 2);
  p.writeUInt32BE(ssrc, 4);
  p.writeUInt32BE(0xabcdef01, 8);
  for (let i = 12; i < 32; i++) p[i] = i;
  return p;
}

/** werift sessions that send with `local` and receive with `remote`. */
export function weriftSessions(local: SrtpMasterKey, remote: SrtpMasterKey): { srtp: SrtpSession; srtcp: SrtcpSession } {
  const config = {
    keys: {
      localMasterKey: Buffer.from(local.masterKey),
      localMasterSalt: Buffer.from(local.masterSalt),
      remoteMasterKey: Buffer.from(remote.masterKey),
      remoteMasterSalt: Buffer.from(remote.masterSalt),
    },
    profile: local.profile as 1 | 7,
  };
  return { srtp: new SrtpSession(config), srtcp: new SrtcpSession(config) };
}

/** Copies `packet` into the engine's input and fans it out; returns the copies as fresh Buffers. */
export function fanOut(engine: SrtpFanout, packet: Buffer, subscribers: readonly number[]): Buffer[] {
  engine.input.set(packet);
  const n = engine.fanout(packet.length, subscribers, subscribers.length);
  const copies: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const at = engine.outOffsets[i] ?? 0;
    copies.push(Buffer.from(engine.arena.subarray(at, at + (engine.outLengths[i] ?? 0))));
  }
  return copies;
}

export { createSrtpFanout };
