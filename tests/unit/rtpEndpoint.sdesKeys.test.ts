// SDES keys of RTP endpoints (RFC 4568 §6.1: base64 of master key || master salt): split by suite,
// wrong lengths and non-base64 refused with a reason, the 32-bit-tag suite refused, fresh keys random.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSdesKey, sdesMasterKey } from '../../core/src/media/rtp/sdesKeys.ts';
import { SrtpProfile, UnsupportedSrtpProfileError } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';

const bytes = (n: number, from: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

describe('rtp endpoint: SDES keys', () => {
  it('AES_CM_128_HMAC_SHA1_80: 16-byte master key then 14-byte salt (the RFC 4568 §6.1 example key parses)', () => {
    const key = sdesMasterKey('AES_CM_128_HMAC_SHA1_80', Buffer.concat([bytes(16, 1), bytes(14, 101)]).toString('base64'));
    assert.equal(key.profile, SrtpProfile.aes128CmHmacSha1_80);
    assert.deepEqual(Buffer.from(key.masterKey), bytes(16, 1));
    assert.deepEqual(Buffer.from(key.masterSalt), bytes(14, 101));
    // RFC 4568 §6.1's example `inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4`, key part only.
    const rfc = sdesMasterKey('AES_CM_128_HMAC_SHA1_80', 'PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR');
    assert.equal(Buffer.from(rfc.masterKey).toString('latin1'), '=-n@%^x!Bjufr9)?');
    assert.equal(Buffer.from(rfc.masterSalt).toString('latin1'), ',#5h\\`=&]{qiPQ');
  });

  it('AEAD_AES_128_GCM: 16-byte master key then 12-byte salt (RFC 7714 §12)', () => {
    const key = sdesMasterKey('AEAD_AES_128_GCM', Buffer.concat([bytes(16, 7), bytes(12, 50)]).toString('base64'));
    assert.equal(key.profile, SrtpProfile.aeadAes128Gcm);
    assert.equal(key.masterKey.length, 16);
    assert.deepEqual(Buffer.from(key.masterSalt), bytes(12, 50));
  });

  it('refuses a key of the wrong length, a string that is not base64, and the 32-bit-tag suite, each with a reason', () => {
    assert.throws(() => sdesMasterKey('AES_CM_128_HMAC_SHA1_80', bytes(28, 0).toString('base64')), /30 bytes.*got 28/);
    assert.throws(() => sdesMasterKey('AEAD_AES_128_GCM', bytes(30, 0).toString('base64')), /28 bytes.*got 30/);
    const good = bytes(30, 0).toString('base64');
    assert.throws(() => sdesMasterKey('AES_CM_128_HMAC_SHA1_80', `inline:${good}`), /is base64 \(without 'inline:'/);
    assert.throws(() => sdesMasterKey('AES_CM_128_HMAC_SHA1_80', `${good}|2^20|1:4`), /is base64 \(without 'inline:'/);
    assert.throws(() => sdesMasterKey('AES_CM_128_HMAC_SHA1_80', ''), /is base64 \(without 'inline:'/);
    assert.throws(() => sdesMasterKey('AES_CM_128_HMAC_SHA1_32', good), UnsupportedSrtpProfileError);
  });

  it('fresh keys have the suite\'s length, parse back, and differ', () => {
    const a = newSdesKey('AES_CM_128_HMAC_SHA1_80');
    const b = newSdesKey('AES_CM_128_HMAC_SHA1_80');
    assert.equal(Buffer.from(a, 'base64').length, 30);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(newSdesKey('AEAD_AES_128_GCM'), 'base64').length, 28);
    assert.equal(sdesMasterKey('AES_CM_128_HMAC_SHA1_80', a).masterSalt.length, 14);
    assert.throws(() => newSdesKey('AES_CM_128_HMAC_SHA1_32'), UnsupportedSrtpProfileError);
  });
});
