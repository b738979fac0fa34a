// SRTP session key derivation (RFC 3711 §4.3.1, key derivation rate 0; RFC 7714 §11) with node:crypto. Runs once
// per stream at setup, so both engines share it; only the per-packet path differs between them.
import { createCipheriv } from 'node:crypto';
import { SrtpProfile, UnsupportedSrtpProfileError, type SrtpMasterKey } from './SrtpFanoutTypes.ts';

/** The session keys of one direction: SRTP and SRTCP each get a cipher key, a salt and an auth key. */
export interface SrtpSessionKeys {
  /** AES-128 key (16 B), labels 0x00 / 0x03. */
  rtpKey: Buffer;
  /** Session salt (14 B; 12 B for GCM), labels 0x02 / 0x05. */
  rtpSalt: Buffer;
  /** HMAC-SHA1 key (20 B; empty for GCM), labels 0x01 / 0x04. */
  rtpAuthKey: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuthKey: Buffer;
}

/** Labels of RFC 3711 §4.3.1 / §4.3.2. */
const label = { rtpKey: 0, rtpAuth: 1, rtpSalt: 2, rtcpKey: 3, rtcpAuth: 4, rtcpSalt: 5 } as const;

/** One PRF output: AES-CM keyed by the master key, IV = (master_salt XOR label·2^48)·2^16 (§4.3.1). */
function prf(master: SrtpMasterKey, labelValue: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.set(master.masterSalt.subarray(0, 14)); // 14 bytes, or GCM's 12 followed by zeros
  // key_id = label || r (48 bits, r = 0 with kdr 0), right-aligned under the 112-bit salt: byte 7.
  iv[7] = (iv[7] ?? 0) ^ labelValue;
  const cipher = createCipheriv('aes-128-ctr', master.masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

/**
 * Derives the session keys from a DTLS-SRTP master key and salt: AES_CM_128_HMAC_SHA1_80 (14-byte
 * salts, 20-byte auth keys) or AEAD_AES_128_GCM (RFC 7714 §11: 12-byte salts, no auth keys; the
 * 96-bit master salt fills the top of the PRF's 112-bit salt field).
 */
export function deriveSrtpSessionKeys(master: SrtpMasterKey): SrtpSessionKeys {
  const gcm = master.profile === SrtpProfile.aeadAes128Gcm;
  if (!gcm && master.profile !== SrtpProfile.aes128CmHmacSha1_80)
    throw new UnsupportedSrtpProfileError(`SRTP profile 0x${master.profile.toString(16)} is not implemented by the fan-out engines`);
  const saltLength = gcm ? 12 : 14;
  if (master.masterKey.length !== 16 || master.masterSalt.length !== saltLength)
    throw new RangeError(`SRTP master key/salt must be 16/${saltLength} bytes, got ${master.masterKey.length}/${master.masterSalt.length}`);
  const authLength = gcm ? 0 : 20;
  return {
    rtpKey: prf(master, label.rtpKey, 16),
    rtpSalt: prf(master, label.rtpSalt, saltLength),
    rtpAuthKey: prf(master, label.rtpAuth, authLength),
    rtcpKey: prf(master, label.rtcpKey, 16),
    rtcpSalt: prf(master, label.rtcpSalt, saltLength),
    rtcpAuthKey: prf(master, label.rtcpAuth, authLength),
  };
}
