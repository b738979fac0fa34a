// The WASM crypto kernels against published vectors: AES-CM keystream (RFC 3711 Appendix B.2),
// SRTP key derivation (Appendix B.3) and HMAC-SHA1 (RFC 2202 §3).
import assert from 'node:assert/strict';
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveSrtpSessionKeys } from '../../core/src/media/srtp/srtpKeyDerivation.ts';
import { instantiateCardeaWasm, resolveFanoutOptions } from '../../core/src/media/srtp/WasmSrtpFanout.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('srtp kernels: WASM AES-128 and HMAC-SHA1 against RFC vectors', () => {
  const wasm = instantiateCardeaWasm(resolveFanoutOptions({ maxStreams: 1, maxSubscribers: 1 }));
  const memory = () => Buffer.from(wasm.memory.buffer);

  it('AES-CM keystream matches RFC 3711 Appendix B.2', () => {
    const keys = memory().subarray(wasm.keysPtr(), wasm.keysPtr() + 32);
    keys.set(hex('2B7E151628AED2A6ABF7158809CF4F3C'), 0);
    keys.set(hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'), 16);
    const input = memory().subarray(wasm.inputPtr(), wasm.inputPtr() + 48);
    input.fill(0); // XOR into zeros yields the keystream itself
    wasm.testAesCm(48);
    assert.equal(
      input.toString('hex').toUpperCase(),
      'E03EAD0935C95E80E166B16DD92B4EB4' + 'D23513162B02D0F72A43A2FE4A5F97AB' + '41E95B3BB0A2E8DD477901E4FCA894C0',
    );
  });

  it('AES-CM keystream matches node:crypto aes-128-ctr over an odd length', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f');
    const iv = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000');
    const keys = memory().subarray(wasm.keysPtr(), wasm.keysPtr() + 32);
    keys.set(key, 0);
    keys.set(iv, 16);
    const input = memory().subarray(wasm.inputPtr(), wasm.inputPtr() + 1187);
    input.fill(0);
    wasm.testAesCm(1187);
    assert.deepEqual(Buffer.from(input), createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(1187)));
  });

  it('SRTP key derivation matches RFC 3711 Appendix B.3', () => {
    const keys = deriveSrtpSessionKeys({
      profile: 1,
      masterKey: hex('E1F97A0D3E018BE0D64FA32C06DE4139'),
      masterSalt: hex('0EC675AD498AFEEBB6960B3AABE6'),
    });
    assert.equal(keys.rtpKey.toString('hex').toUpperCase(), 'C61E7A93744F39EE10734AFE3FF7A087');
    assert.equal(keys.rtpSalt.toString('hex').toUpperCase(), '30CBBC08863D8C85D49DB34A9AE1');
    assert.equal(keys.rtpAuthKey.toString('hex').toUpperCase(), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });

  const rfc2202: { key: Buffer; data: Buffer; mac: string }[] = [
    { key: Buffer.alloc(20, 0x0b), data: Buffer.from('Hi There'), mac: 'b617318655057264e28bc0b6fb378c8ef146be00' },
    { key: Buffer.from('Jefe'), data: Buffer.from('what do ya want for nothing?'), mac: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
    { key: Buffer.alloc(20, 0xaa), data: Buffer.alloc(50, 0xdd), mac: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' },
    {
      key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      data: Buffer.alloc(50, 0xcd),
      mac: '4c9007f4026250c6bc8414f9bf50c86c2d7235da',
    },
    { key: Buffer.alloc(20, 0x0c), data: Buffer.from('Test With Truncation'), mac: '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' },
  ];
  for (const [i, v] of rfc2202.entries()) {
    it(`HMAC-SHA1 matches RFC 2202 test case ${i + 1}`, () => {
      const keys = memory().subarray(wasm.keysPtr(), wasm.keysPtr() + 128);
      keys.fill(0);
      keys.set(v.key, 32);
      memory().set(v.data, wasm.inputPtr());
      wasm.testHmac(v.key.length, v.data.length);
      assert.equal(keys.subarray(96, 116).toString('hex'), v.mac);
    });
  }

  it('HMAC-SHA1 matches node:crypto at every length across block boundaries', () => {
    const key = hex('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    for (let len = 0; len <= 200; len++) {
      const data = Buffer.from(Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff));
      const keys = memory().subarray(wasm.keysPtr(), wasm.keysPtr() + 128);
      keys.set(key, 32);
      memory().set(data, wasm.inputPtr());
      wasm.testHmac(20, len);
      assert.equal(keys.subarray(96, 116).toString('hex'), createHmac('sha1', key).update(data).digest('hex'), `length ${len}`);
    }
  });
});
