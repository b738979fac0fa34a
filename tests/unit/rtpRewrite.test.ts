// Per-subscriber RTP header rewriting in both engines: SSRC and payload type, and sequence /
// timestamp continuity across source switches, rebases, reordering and wrap-around.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SrtpFanout } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { createSrtpFanout, engines, fanOut, masterKey, rtpPacket, weriftSessions } from '../support/srtpFixtures.ts';

const key = masterKey(7);

/** Fans one packet out to `id` and returns the header werift sees after unprotecting it. */
function forward(fanout: SrtpFanout, id: number, decrypt: (b: Buffer) => Buffer, f: Parameters<typeof rtpPacket>[0]) {
  const [copy] = fanOut(fanout, rtpPacket(f), [id]);
  assert.ok(copy, 'one copy written');
  const plain = decrypt(copy);
  return {
    seq: plain.readUInt16BE(2),
    ts: plain.readUInt32BE(4),
    ssrc: plain.readUInt32BE(8),
    pt: (plain[1] ?? 0) & 0x7f,
    marker: ((plain[1] ?? 0) & 0x80) !== 0,
  };
}

for (const engine of engines) {
  describe(`rtpRewrite (${engine}): a subscriber sees one continuous stream`, () => {
    const setup = (rewrite: Parameters<SrtpFanout['addEgress']>[1]) => {
      const fanout = createSrtpFanout({ engine });
      const id = fanout.addEgress(key, rewrite);
      const { srtp } = weriftSessions(masterKey(99), key);
      return { fanout, id, decrypt: (b: Buffer) => srtp.decrypt(b) };
    };

    it('rewrites SSRC and payload type, keeps the marker bit, offsets seq and ts from the initial values', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 0xdeadbeef, payloadType: 100, initialSequence: 40000, initialTimestamp: 0xfffffff0 });
      const a = forward(fanout, id, decrypt, { seq: 7, ts: 1000, ssrc: 1, pt: 96, marker: true });
      assert.deepEqual(a, { seq: 40000, ts: 0xfffffff0, ssrc: 0xdeadbeef, pt: 100, marker: true });
      const b = forward(fanout, id, decrypt, { seq: 8, ts: 1000 + 3000, ssrc: 1, pt: 96 });
      assert.deepEqual(b, { seq: 40001, ts: (0xfffffff0 + 3000) >>> 0, ssrc: 0xdeadbeef, pt: 100, marker: false }, 'timestamp wraps');
    });

    it('keeps the source payload type when none is configured', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 5, initialSequence: 1, initialTimestamp: 1 });
      assert.equal(forward(fanout, id, decrypt, { seq: 1, ts: 1, ssrc: 1, pt: 111 }).pt, 111);
    });

    it('continues seq and ts across a source switch (new SSRC, seq and ts base)', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 9, initialSequence: 65533, initialTimestamp: 500, timestampStep: 960 });
      const out = [];
      for (let i = 0; i < 3; i++) out.push(forward(fanout, id, decrypt, { seq: 100 + i, ts: 10000 + 960 * i, ssrc: 0xa }));
      for (let i = 0; i < 3; i++) out.push(forward(fanout, id, decrypt, { seq: 30000 + i, ts: 777 + 960 * i, ssrc: 0xb }));
      out.push(forward(fanout, id, decrypt, { seq: 103, ts: 10000 + 960 * 3, ssrc: 0xa })); // and back
      assert.deepEqual(
        out.map((h) => h.seq),
        [65533, 65534, 65535, 0, 1, 2, 3],
      );
      assert.deepEqual(
        out.map((h) => h.ts),
        [500, 1460, 2420, 3380, 4340, 5300, 6260],
      );
      assert.ok(out.every((h) => h.ssrc === 9));
    });

    it('rebase() continues the stream when the same SSRC jumps (a switch the SSRC does not show)', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 9, initialSequence: 10, initialTimestamp: 0 });
      forward(fanout, id, decrypt, { seq: 1, ts: 0, ssrc: 1 });
      fanout.rebase(id, 90);
      const after = forward(fanout, id, decrypt, { seq: 50000, ts: 123456, ssrc: 1 });
      assert.deepEqual([after.seq, after.ts], [11, 90]);
      const next = forward(fanout, id, decrypt, { seq: 50001, ts: 123456 + 3000, ssrc: 1 });
      assert.deepEqual([next.seq, next.ts], [12, 3090]);
    });

    it('maps a reordered packet with the same offsets and does not move the continuation point back', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 9, initialSequence: 0, initialTimestamp: 0, timestampStep: 1 });
      forward(fanout, id, decrypt, { seq: 10, ts: 100, ssrc: 1 });
      forward(fanout, id, decrypt, { seq: 12, ts: 120, ssrc: 1 });
      const late = forward(fanout, id, decrypt, { seq: 11, ts: 110, ssrc: 1 });
      assert.deepEqual([late.seq, late.ts], [1, 10]);
      const switched = forward(fanout, id, decrypt, { seq: 500, ts: 9999, ssrc: 2 });
      assert.deepEqual([switched.seq, switched.ts], [3, 21], 'continues after seq 2 / ts 20, not after the late packet');
    });

    it('setRewrite() changes SSRC and payload type mid-stream without breaking the sequence', () => {
      const { fanout, id, decrypt } = setup({ ssrc: 9, payloadType: 96, initialSequence: 5, initialTimestamp: 5 });
      forward(fanout, id, decrypt, { seq: 1, ts: 1, ssrc: 1 });
      fanout.setRewrite(id, { ssrc: 9, payloadType: 97 });
      const b = forward(fanout, id, decrypt, { seq: 2, ts: 2, ssrc: 1 });
      assert.deepEqual([b.seq, b.pt], [6, 97]);
    });
  });
}
