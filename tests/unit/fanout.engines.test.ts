// The fan-out entry point of both engines: identical bytes from both, one independently verifiable
// copy per subscriber, bounded arena and subscriber list, bad ids skipped and counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FanoutCapacityError } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { createSrtpFanout, engines, fanOut, masterKey, rtpPacket, weriftSessions } from '../support/srtpFixtures.ts';

describe('fanout: the wasm and node engines produce identical bytes', () => {
  it('200 packets of varying size, 5 subscribers (AES-CM and GCM), a source switch and a sequence wrap', () => {
    // wasm splitting AES out to node:crypto from 300 bytes, wasm all in WASM, node.
    const variants = [
      createSrtpFanout({ engine: 'wasm', maxSubscribers: 8, nativeAesMinBytes: 300 }),
      createSrtpFanout({ engine: 'wasm', maxSubscribers: 8, nativeAesMinBytes: Infinity }),
      createSrtpFanout({ engine: 'node', maxSubscribers: 8 }),
    ];
    const ids = variants.map((f) =>
      [0, 1, 2, 3, 4].map((k) =>
        f.addEgress(masterKey(10 * k, k % 2 === 0 ? 1 : 7), {
          ssrc: 0x100 + k,
          payloadType: 100 + k,
          initialSequence: 65500 + k,
          initialTimestamp: k * 1000,
        }),
      ),
    );
    for (let i = 0; i < 200; i++) {
      const packet = rtpPacket({
        seq: 1000 + i,
        ts: i * 3000,
        ssrc: i < 100 ? 1 : 2,
        payloadBytes: (i * 37) % 1200,
        marker: i % 3 === 0,
        csrcs: i % 2,
      });
      const [split, pure, node] = variants.map((f, v) => fanOut(f, packet, ids[v] ?? []));
      assert.equal(split?.length, 5);
      assert.deepEqual(split, node, `packet ${i}: wasm (split) vs node`);
      assert.deepEqual(pure, node, `packet ${i}: wasm (all in WASM) vs node`);
    }
    const [cachedStats, pureStats, nodeStats] = variants.map((f) => f.stats());
    assert.ok((cachedStats?.keystreamCacheHits ?? 0) > 500, 'most large copies came from keystream caches');
    assert.equal(pureStats?.keystreamCacheHits, 0);
    assert.deepEqual({ ...cachedStats, keystreamCacheHits: 0 }, nodeStats);
  });
});

for (const engine of engines) {
  describe(`fanout (${engine}): one call, K protected copies`, () => {
    it('each copy unprotects with its own subscriber key and carries its own rewrite', () => {
      const fanout = createSrtpFanout({ engine, maxSubscribers: 16 });
      const keys = Array.from({ length: 10 }, (_, k) => masterKey(3 * k + 1));
      const ids = keys.map((key, k) => fanout.addEgress(key, { ssrc: 0x9000 + k, initialSequence: k, initialTimestamp: k }));
      const packet = rtpPacket({ seq: 1, ts: 1, ssrc: 1, payloadBytes: 1100 });
      const copies = fanOut(fanout, packet, ids);
      assert.equal(copies.length, 10);
      for (const [k, copy] of copies.entries()) {
        const plain = weriftSessions(masterKey(200), keys[k] ?? masterKey(0)).srtp.decrypt(copy);
        assert.equal(plain.readUInt32BE(8), 0x9000 + k);
        assert.equal(plain.readUInt16BE(2), k);
        assert.deepEqual(plain.subarray(12), packet.subarray(12));
      }
      assert.equal(new Set(copies.map((c) => c.toString('hex'))).size, 10, 'every ciphertext differs');
    });

    it('more subscribers than the cap: FanoutCapacityError, nothing written, no memory growth', () => {
      const fanout = createSrtpFanout({ engine, maxSubscribers: 4 });
      const ids = [0, 1, 2, 3, 4].map((k) => fanout.addEgress(masterKey(k), { ssrc: k }));
      const bytesBefore = fanout.arena.buffer.byteLength;
      fanout.input.set(rtpPacket({ seq: 1, ts: 1, ssrc: 1 }));
      assert.throws(() => fanout.fanout(112, ids, 5), FanoutCapacityError);
      assert.equal(fanout.stats().copies, 0);
      assert.equal(fanout.fanout(112, ids, 4), 4);
      assert.equal(fanout.arena.buffer.byteLength, bytesBefore, 'memory never grows after creation');
      assert.equal(fanout.input.byteLength > 0, true, 'views stay attached');
    });

    it('no free stream id: FanoutCapacityError; a removed id is reusable', () => {
      const fanout = createSrtpFanout({ engine, maxStreams: 2 });
      const a = fanout.addEgress(masterKey(1), { ssrc: 1 });
      fanout.addIngress(masterKey(2));
      assert.throws(() => fanout.addEgress(masterKey(3), { ssrc: 3 }), FanoutCapacityError);
      fanout.remove(a);
      assert.equal(fanout.addEgress(masterKey(3), { ssrc: 3 }), a);
    });

    it('unknown, removed and ingress ids are skipped and counted; the others are still written', () => {
      const fanout = createSrtpFanout({ engine, maxStreams: 8 });
      const a = fanout.addEgress(masterKey(1), { ssrc: 1 });
      const gone = fanout.addEgress(masterKey(2), { ssrc: 2 });
      const ingress = fanout.addIngress(masterKey(3));
      const b = fanout.addEgress(masterKey(4), { ssrc: 4 });
      fanout.remove(gone);
      const copies = fanOut(fanout, rtpPacket({ seq: 1, ts: 1, ssrc: 1 }), [a, gone, ingress, 9999, b]);
      assert.equal(copies.length, 2);
      assert.deepEqual(
        copies.map((c) => c.readUInt32BE(8)),
        [1, 4],
      );
      assert.equal(fanout.stats().badStream, 3);
      fanout.input.set(rtpPacket({ seq: 1, ts: 1, ssrc: 1 }));
      assert.ok(fanout.unprotect(a, 122) < 0, 'an egress id does not unprotect');
    });

    it('copies stay intact in the arena ring until arenaSlots − maxSubscribers later copies', () => {
      const fanout = createSrtpFanout({ engine, maxSubscribers: 4, arenaSlots: 12, maxPacketBytes: 200 });
      const ids = [0, 1, 2, 3].map((k) => fanout.addEgress(masterKey(k), { ssrc: k }));
      fanout.input.set(rtpPacket({ seq: 1, ts: 1, ssrc: 1, payloadBytes: 100 }));
      assert.equal(fanout.fanout(112, ids, 4), 4);
      const first = Array.from(fanout.outOffsets.subarray(0, 4), (at, i) =>
        Buffer.from(fanout.arena.subarray(at, at + (fanout.outLengths[i] ?? 0))),
      );
      const firstOffsets = Array.from(fanout.outOffsets.subarray(0, 4));
      const seen = new Set(firstOffsets);
      for (let p = 2; p <= 3; p++) {
        fanout.input.set(rtpPacket({ seq: p, ts: p, ssrc: 1, payloadBytes: 100 }));
        assert.equal(fanout.fanout(112, ids, 4), 4);
        for (const at of fanout.outOffsets) {
          assert.ok(!seen.has(at), 'a slot is not reused within the ring');
          assert.ok(at + 200 <= fanout.arena.byteLength);
          seen.add(at);
        }
      }
      firstOffsets.forEach((at, i) => assert.deepEqual(fanout.arena.subarray(at, at + (first[i]?.length ?? 0)), first[i]));
      fanout.input.set(rtpPacket({ seq: 4, ts: 4, ssrc: 1, payloadBytes: 100 }));
      fanout.fanout(112, ids, 4);
      assert.deepEqual(Array.from(fanout.outOffsets), firstOffsets, 'the ring wraps to the start');
    });
  });
}

describe('fanout (wasm): keystream caches give the same bytes as WASM AES', () => {
  for (const profile of [1, 7]) {
    it(`profile ${profile}: across an SSRC change, a sequence jump, reordering and a re-added stream`, () => {
      const cached = createSrtpFanout({ engine: 'wasm', maxStreams: 4, keystreamCaches: 1, nativeAesMinBytes: 200 });
      const pure = createSrtpFanout({ engine: 'wasm', maxStreams: 4, nativeAesMinBytes: Infinity });
      const key = masterKey(5, profile);
      const rewrite = { ssrc: 0x77, initialSequence: 65530, initialTimestamp: 0 };
      let [a, b] = [cached.addEgress(key, rewrite), pure.addEgress(key, rewrite)];
      const seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 40, 41, 43, 42, 44, 45, 46];
      const check = (seq: number, bytes: number) => {
        const packet = rtpPacket({ seq, ts: seq * 3000, ssrc: 1, payloadBytes: bytes });
        assert.deepEqual(fanOut(cached, packet, [a]), fanOut(pure, packet, [b]), `seq ${seq}, ${bytes} bytes`);
      };
      for (const seq of seqs) check(seq, 1000);
      const hits = cached.stats().keystreamCacheHits;
      assert.ok(hits > 15, `cache used (${hits} hits)`);
      cached.setRewrite(a, { ssrc: 0x78 });
      pure.setRewrite(b, { ssrc: 0x78 });
      for (const seq of [47, 48, 49, 50, 51, 52]) check(seq, 1400); // larger packets after the SSRC change
      for (const seq of [53, 54, 55]) check(seq, 100); // small packets: the cache still serves them
      cached.remove(a);
      pure.remove(b);
      [a, b] = [cached.addEgress(key, rewrite), pure.addEgress(key, rewrite)];
      for (const seq of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) check(seq, 800);
      assert.ok(cached.stats().keystreamCacheHits > hits, 'the freed cache went to the new stream');
    });
  }
});
