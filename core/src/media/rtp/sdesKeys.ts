import { randomBytes } from 'node:crypto';
import type { SrtpSuite } from '@cardea/plugin-sdk';
import { SrtpProfile, UnsupportedSrtpProfileError, type SrtpMasterKey } from '../srtp/SrtpFanoutTypes.ts';

/** Master key and salt lengths of the suites the engines implement (RFC 4568 §6.2.1, RFC 7714 §12). */
const suites: Partial<Record<SrtpSuite, { profile: number; salt: number }>> = {
  AES_CM_128_HMAC_SHA1_80: { profile: SrtpProfile.aes128CmHmacSha1_80, salt: 14 },
  AEAD_AES_128_GCM: { profile: SrtpProfile.aeadAes128Gcm, salt: 12 },
};

function suiteOf(suite: SrtpSuite): { profile: number; salt: number } {
  const s = suites[suite];
  if (!s) throw new UnsupportedSrtpProfileError(`SRTP suite ${suite} is not implemented by the SRTP engine (AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM are)`);
  return s;
}

/** Standard base64 (RFC 4648 §4), padded or not: Buffer.from would silently skip anything else. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The master key of an SDES `inline:` key (base64 of key || salt, RFC 4568 §6.1; just the key, no
 * `inline:` prefix, lifetime or MKI); throws RangeError for a wrong length or a non-base64 string.
 */
export function sdesMasterKey(suite: SrtpSuite, base64: string): SrtpMasterKey {
  const { profile, salt } = suiteOf(suite);
  if (!BASE64.test(base64)) throw new RangeError(`an SDES key is base64 (without 'inline:', lifetime or MKI), got ${JSON.stringify(base64.slice(0, 12))}…`);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 16 + salt) throw new RangeError(`an SDES key of ${suite} is ${16 + salt} bytes (base64), got ${bytes.length}`);
  return { profile, masterKey: bytes.subarray(0, 16), masterSalt: bytes.subarray(16) };
}

/** A fresh random SDES key for `suite`, base64. */
export function newSdesKey(suite: SrtpSuite): string {
  return randomBytes(16 + suiteOf(suite).salt).toString('base64');
}
