// The engines' `plain` profile (plain RTP endpoints): a copy is the rewrite only — the source's
// bytes with the stream's sequence number, timestamp, SSRC and payload type, no encryption and no
// tag — byte for byte the same from both engines, side by side with protected copies of one call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SrtpProfile, type SrtpMasterKey } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { createSrtpFanout, engines, fanOut, masterKey, rtpPacket, weriftSessions } from '../support/srtpFixtures.ts';

const plain: SrtpMasterKey = { profile: SrtpProfile.plain, masterKey: new Uint8Array(0), masterSalt: new Uint8Array(0) };

/** `packet` with the header fields a rewrite sets (RFC 3550 §5.1), everything else untouched. */
function rewritten(packet: Buffer, f: { seq: number; ts: number; ssrc: number; pt: number }): Buffer {
  const out = Buffer.from(packet);
  out[1] = ((out[1] as number) & 0x80) | f.pt;
  out.writeUInt16BE(f.seq & 0xffff, 2);
  out.writeUInt32BE(f.ts >>> 0, 4);
  out.writeUInt32BE(f.ssrc >>> 0, 8);
  return out;
}

for (const engine of engines) {
  describe(`srtp engine (${engine}): the plain profile`, () => {
    it('writes the rewritten packet unprotected, byte for byte (marker, CSRCs, extension and payload kept)', () => {
      const f = createSrtpFanout({ engine, maxSubscribers: 4 });
      const id = f.addEgress(plain, { ssrc: 0xabcdef01, payloadType: 100, initialSequence: 65534, initialTimestamp: 4_000_000_000 });
      for (let i = 0; i < 5; i++) {
        const packet = rtpPacket({ seq: 700 + i, ts: 90_000 + i * 3000, ssrc: 0x1111, pt: 96, marker: i % 2 === 0, csrcs: 1, extensionWords: 2, payloadBytes: 40 + i * 300 });
        const [copy] = fanOut(f, packet, [id]);
        assert.deepEqual(copy, rewritten(packet, { seq: 65534 + i, ts: 4_000_000_000 + i * 3000, ssrc: 0xabcdef01, pt: 100 }), `packet ${i}`);
      }
    });

    it('shares one fan-out call with protected copies: those still authenticate, the plain one carries the plaintext', () => {
      const f = createSrtpFanout({ engine, maxSubscribers: 4 });
      const key = masterKey(42);
      const srtp = f.addEgress(key, { ssrc: 0x2222, initialSequence: 10, initialTimestamp: 0 });
      const open = f.addEgress(plain, { ssrc: 0x3333, initialSequence: 20, initialTimestamp: 0 });
      const packet = rtpPacket({ seq: 5, ts: 0, ssrc: 1, pt: 111, payloadBytes: 160 });
      const [protectedCopy, plainCopy] = fanOut(f, packet, [srtp, open]);
      assert.equal(protectedCopy?.length, packet.length + 10, 'SRTP copy: 10-byte tag');
      assert.deepEqual(weriftSessions(masterKey(1), key).srtp.decrypt(protectedCopy).subarray(12), packet.subarray(12));
      assert.deepEqual(plainCopy, rewritten(packet, { seq: 20, ts: 0, ssrc: 0x3333, pt: 111 }));
    });

    it('leaves RTCP as it is (plain RTCP, RFC 3550 §6) and refuses plain ingress', () => {
      const f = createSrtpFanout({ engine, maxSubscribers: 4 });
      const id = f.addEgress(plain, { ssrc: 9 });
      const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 9]);
      f.input.set(rr);
      assert.equal(f.protectRtcp(id, rr.length), rr.length, 'no SRTCP index, no tag');
      assert.deepEqual(Buffer.from(f.input.subarray(0, rr.length)), rr);
      assert.throws(() => f.addIngress(plain), RangeError);
    });
  });
}

describe('srtp engines: the plain profile is identical in wasm and node', () => {
  it('100 packets through a source switch and a sequence wrap', () => {
    const variants = engines.map((engine) => createSrtpFanout({ engine, maxSubscribers: 4 }));
    const ids = variants.map((f) => f.addEgress(plain, { ssrc: 0x77, payloadType: 98, initialSequence: 65500, initialTimestamp: 1 }));
    for (let i = 0; i < 100; i++) {
      const packet = rtpPacket({ seq: 100 + i, ts: i * 960, ssrc: i < 50 ? 1 : 2, pt: 111, payloadBytes: (i * 53) % 1100 });
      const [wasm, node] = variants.map((f, v) => fanOut(f, packet, [ids[v] as number]));
      assert.deepEqual(wasm, node, `packet ${i}`);
      assert.equal(wasm?.[0]?.length, packet.length);
    }
  });
});
