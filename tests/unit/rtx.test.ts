// RTX packets (RFC 4588 §4) built and unwrapped in place: OSN, SSRC, sequence number, payload type,
// timestamp and header extensions, padding, and the padding-only probes Chrome sends on RTX SSRCs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unwrapRtx, wrapRtx } from '../../core/src/media/fast/rtx.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

describe('rtx: RFC 4588 packets', () => {
  // V=2 X=1, M=1 PT 96, seq 0x1234, ts 0x01020304, SSRC 0xaabbccdd, one-word extension, payload 4 bytes.
  const original = '90 e0 12 34 01 02 03 04 aa bb cc dd be de 00 01 10 05 00 00 de ad be ef';

  it('wraps: OSN first in the payload, RTX SSRC / sequence / payload type, marker, timestamp and extension kept', () => {
    const buf = Buffer.alloc(64);
    const p = hex(original);
    p.copy(buf);
    const n = wrapRtx(buf, p.length, 20, 0x0007, 0x11223344, 97);
    assert.equal(n, p.length + 2);
    assert.equal(buf.subarray(0, n).toString('hex'), hex('90 e1 00 07 01 02 03 04 11 22 33 44 be de 00 01 10 05 00 00 12 34 de ad be ef').toString('hex'));
  });

  it('unwraps back to the original packet (OSN → sequence number, original SSRC and payload type)', () => {
    const buf = Buffer.alloc(64);
    const p = hex(original);
    p.copy(buf);
    const n = wrapRtx(buf, p.length, 20, 9, 0x11223344, 97);
    const m = unwrapRtx(buf, n, 20, 0xaabbccdd, 96);
    assert.equal(buf.subarray(0, m).toString('hex'), p.toString('hex'));
  });

  it('drops padding when wrapping and unwrapping', () => {
    // P=1, payload 2 bytes + 3 bytes of padding.
    const buf = Buffer.alloc(32);
    const p = hex('a0 60 00 05 00 00 00 01 00 00 00 02 ca fe 00 00 03');
    p.copy(buf);
    const n = wrapRtx(buf, p.length, 12, 1, 3, 97);
    assert.equal(buf.subarray(0, n).toString('hex'), '806100010000000100000003' + '0005cafe');
  });

  it('rejects padding-only probes (no OSN) and malformed padding', () => {
    const probe = hex('a0 61 00 09 00 00 00 01 00 00 00 03 00 00 00 00 00 00 00 08'); // 8 bytes of padding, nothing else
    assert.equal(unwrapRtx(probe, probe.length, 12, 1, 96), -1);
    const bad = hex('a0 61 00 09 00 00 00 01 00 00 00 03 00 00 00 ff');
    assert.equal(unwrapRtx(bad, bad.length, 12, 1, 96), -1);
    const noRoom = hex(original);
    assert.equal(wrapRtx(noRoom, noRoom.length, 20, 1, 1, 97), -1, 'needs two spare bytes');
  });
});
