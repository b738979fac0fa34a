// VP8 temporal layers on the fast path: the payload descriptor (RFC 7741 §4.2) parsed from binary
// fixtures, picture ID / TL0PICIDX rewriting, and per-subscriber temporal dropping that keeps the
// subscriber's RTP sequence and VP8 picture IDs continuous (through both SRTP engines).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Vp8TemporalFilter } from '../../core/src/media/fast/Vp8TemporalFilter.ts';
import { packedPictureId, packedTl0PicIdx, packVp8Ids, SentPacketMap } from '../../core/src/media/fast/SentPacketMap.ts';
import { Vp8Descriptor, writeVp8PictureId, writeVp8Tl0PicIdx } from '../../core/src/media/vp8.ts';
import { createSrtpFanout, engines, fanOut, masterKey, rtpPacket, weriftSessions } from '../support/srtpFixtures.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

describe('vp8: payload descriptor (RFC 7741 §4.2)', () => {
  it('parses X, I with a 15-bit picture ID, L, T with Y, and the keyframe bit', () => {
    // X=1 S=1 PID=0 | I L T | M=1 picture ID 0x1234 | TL0PICIDX 5 | TID 2, Y=1 | VP8 header P=0
    const d = new Vp8Descriptor();
    assert.equal(d.parse(hex('90 e0 92 34 05 a0 10 02 00'), 0, 9), true);
    assert.deepEqual(
      { start: d.start, partition: d.partition, pic: d.pictureId, bits: d.pictureIdBits, picAt: d.pictureIdAt, tl0: d.tl0PicIdx, tl0At: d.tl0PicIdxAt, tid: d.tid, y: d.layerSync, key: d.keyframe, keyIdx: d.keyIdx },
      { start: true, partition: 0, pic: 0x1234, bits: 15, picAt: 2, tl0: 5, tl0At: 4, tid: 2, y: true, key: true, keyIdx: -1 },
    );
  });

  it('parses a 7-bit picture ID, a K-only TK byte, a continuation packet and an inter frame', () => {
    const d = new Vp8Descriptor();
    assert.equal(d.parse(hex('80 80 2a'), 0, 3), true); // not a partition start: no VP8 header needed
    assert.deepEqual([d.start, d.pictureId, d.pictureIdBits, d.tl0PicIdx, d.tid, d.keyframe], [false, 42, 7, -1, -1, false]);
    assert.equal(d.parse(hex('90 10 1f 01'), 0, 4), true);
    assert.deepEqual([d.keyIdx, d.tid, d.layerSync, d.pictureId, d.keyframe], [31, -1, false, -1, false]);
    assert.equal(d.parse(hex('10 9d'), 0, 2), true, 'no extension byte');
    assert.equal(d.keyframe, false, 'P=1: inter frame');
  });

  it('rejects truncated descriptors', () => {
    const d = new Vp8Descriptor();
    for (const bad of ['80', '80 80', '80 80 92', '80 40', '80 20', '90 e0 92 34 05 a0']) assert.equal(d.parse(hex(bad), 0, hex(bad).length), false, bad);
  });

  it('rewrites picture ID (keeping its width) and TL0PICIDX in place', () => {
    const d = new Vp8Descriptor();
    const p15 = hex('90 e0 92 34 05 a0 10');
    d.parse(p15, 0, p15.length);
    writeVp8PictureId(p15, d, 0x7fff);
    writeVp8Tl0PicIdx(p15, d, 0xfe);
    assert.equal(p15.toString('hex'), '90e0fffffea010');
    const p7 = hex('80 80 2a');
    d.parse(p7, 0, 3);
    writeVp8PictureId(p7, d, 0x85);
    assert.equal(p7.toString('hex'), '808005');
  });

  it('packs picture ID and TL0PICIDX for the sent-packet map', () => {
    for (const [pic, tl0] of [[-1, -1], [0, 0], [32767, 255], [-1, 7], [9, -1]] as const) {
      const packed = packVp8Ids(pic, tl0);
      assert.deepEqual([packedPictureId(packed), packedTl0PicIdx(packed)], [pic, tl0]);
    }
    const map = new SentPacketMap(8);
    map.record(1000, 7, packVp8Ids(3, 4), 90000);
    assert.equal(map.lookup(1000), true);
    assert.deepEqual([map.sourceSeq, map.vp8Ids, map.timestamp], [7, packVp8Ids(3, 4), 90000]);
    map.record(1008, 8, -1, 0);
    assert.equal(map.lookup(1000), false, 'overwritten slot');
  });
});

/** One VP8 frame per packet in the L1T3 pattern Chrome uses: TID 0,2,1,2, Y set on the first TL1/TL2 frame after a TL0. */
function l1t3Packet(frame: number, ssrc = 0x1111, keyframeAt = 0): Buffer {
  const tid = [0, 2, 1, 2][frame % 4] as number;
  const sync = frame % 4 === 1 || frame % 4 === 2;
  const pic = (100 + frame) & 0x7fff;
  const tl0 = Math.floor(frame / 4) & 0xff;
  const p = rtpPacket({ seq: 5000 + frame, ts: 3000 * frame, ssrc, pt: 96, payloadBytes: 20 });
  p.set([0x90, 0xe0, 0x80 | (pic >> 8), pic & 0xff, tl0, (tid << 6) | (sync ? 0x20 : 0), frame === keyframeAt ? 0x10 : 0x11], 12);
  return p;
}

/** What the fast plane does per packet and subscriber: filter, drop-and-shift, or rewrite and fan out. */
function forward(filter: Vp8TemporalFilter, fanout: ReturnType<typeof createSrtpFanout>, id: number, packet: Buffer): Buffer | undefined {
  const d = new Vp8Descriptor();
  assert.ok(d.parse(packet, 12, packet.length));
  if (!filter.accept(d)) {
    fanout.shiftSequence(id, -1);
    return undefined;
  }
  writeVp8PictureId(packet, d, filter.outPictureId);
  writeVp8Tl0PicIdx(packet, d, filter.outTl0PicIdx);
  const [copy] = fanOut(fanout, packet, [id]);
  return copy;
}

for (const engine of engines) {
  describe(`vp8 temporal layers (${engine}): one subscriber's stream stays continuous`, () => {
    const setup = () => {
      const fanout = createSrtpFanout({ engine });
      const key = masterKey(3);
      const id = fanout.addEgress(key, { ssrc: 0xabc, initialSequence: 65530, initialTimestamp: 0 });
      const { srtp } = weriftSessions(masterKey(98), key);
      const filter = new Vp8TemporalFilter();
      const seen: Array<{ seq: number; pic: number; tl0: number; tid: number }> = [];
      const send = (packet: Buffer): void => {
        const copy = forward(filter, fanout, id, packet);
        if (!copy) return;
        const plain = srtp.decrypt(copy);
        const d = new Vp8Descriptor();
        assert.ok(d.parse(plain, 12, plain.length));
        seen.push({ seq: plain.readUInt16BE(2), pic: d.pictureId, tl0: d.tl0PicIdx, tid: d.tid });
      };
      return { fanout, id, filter, seen, send };
    };

    it('drops TL1/TL2 for temporal 0 with gap-free sequence numbers and picture IDs', () => {
      const { filter, seen, send } = setup();
      filter.target = 0;
      for (let frame = 0; frame < 12; frame++) send(l1t3Packet(frame));
      assert.deepEqual(seen.map((s) => s.tid), [0, 0, 0]);
      assert.deepEqual(seen.map((s) => s.seq), [65530, 65531, 65532]);
      assert.deepEqual(seen.map((s) => s.pic), [100, 101, 102]);
      assert.deepEqual(seen.map((s) => s.tl0), [0, 1, 2]);
      assert.equal(filter.current, 0);
    });

    it('switches up only at a layer sync frame and down at the next frame start', () => {
      const { filter, seen, send } = setup();
      filter.target = 0;
      for (let frame = 0; frame < 4; frame++) send(l1t3Packet(frame)); // TL0 frame 0 only
      filter.target = 2;
      filter.changed = false;
      send(l1t3Packet(4)); // TL0, not a sync point for going up: still layer 0
      assert.equal(filter.current, 0);
      send(l1t3Packet(5)); // TID 2 with Y: switch to 2
      assert.equal(filter.current, 2);
      assert.equal(filter.changed, true);
      for (let frame = 6; frame < 8; frame++) send(l1t3Packet(frame));
      filter.target = 1;
      for (let frame = 8; frame < 12; frame++) send(l1t3Packet(frame)); // TID 0,2,1,2 → keeps 0 and 1
      assert.equal(filter.current, 1);
      assert.deepEqual(seen.map((s) => s.tid), [0, 0, 2, 1, 2, 0, 1]);
      const seqs = seen.map((s) => s.seq);
      assert.deepEqual(seqs, [65530, 65531, 65532, 65533, 65534, 65535, 0], 'sequence continues through drops and the wrap');
      assert.deepEqual(seen.map((s) => s.pic), [100, 101, 102, 103, 104, 105, 106], 'no picture ID holes');
      assert.deepEqual(seen.map((s) => s.tl0), [0, 1, 1, 1, 1, 2, 2]);
    });

    it('continues picture ID and TL0PICIDX across a source switch (another substream)', () => {
      const { fanout, id, filter, seen, send } = setup();
      filter.target = 2;
      for (let frame = 0; frame < 4; frame++) send(l1t3Packet(frame));
      filter.rebase();
      fanout.rebase(id, 3000);
      const other = (frame: number): Buffer => {
        const p = l1t3Packet(frame, 0x2222, 8);
        p.writeUInt16BE(p.readUInt16BE(12 + 2) ^ 0x0400, 14); // another picture ID space
        p[12 + 4] = 77; // and TL0PICIDX
        return p;
      };
      send(other(8));
      send(other(9));
      assert.deepEqual(seen.map((s) => s.pic), [100, 101, 102, 103, 104, 105]);
      assert.deepEqual(seen.map((s) => s.tl0), [0, 0, 0, 0, 1, 1]);
      assert.deepEqual(seen.map((s) => s.seq), [65530, 65531, 65532, 65533, 65534, 65535]);
    });
  });
}
