// The NACK retransmission buffer packs packets into a byte ring (memory: it was 384 KB per video
// stream of fixed 1500-byte slots). These pin what the packing must never do: hand back bytes of a
// packet that was overwritten, or lose a packet that still fits in both bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetransmitBuffer } from '../../core/src/media/fast/RetransmitBuffer.ts';

/** A packet whose every byte depends on its sequence number and length. */
function packet(seq: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seq * 31 + i * 7) & 0xff;
  return b;
}

test('memory: the retransmit ring keeps packets up to its byte budget, whole, across its end', () => {
  const history = new RetransmitBuffer(16, 300, 1000);
  for (let seq = 0; seq < 10; seq++) history.store(packet(seq, 300), 300, seq);
  const out = Buffer.alloc(1500);
  // 1000 bytes hold three 300-byte packets; the 100-byte tail is skipped, never split.
  for (const seq of [7, 8, 9]) {
    assert.equal(history.copy(seq, out), 300, `packet ${seq} is kept`);
    assert.deepEqual(out.subarray(0, 300), packet(seq, 300), `packet ${seq} comes back unchanged`);
  }
  assert.equal(history.copy(6, out), 0, 'packet 6 was overwritten by the ring');
  assert.equal(history.copy(3, out), 0, 'older packets are gone');
});

test('memory: the retransmit ring keeps all its slots when packets are small', () => {
  const history = new RetransmitBuffer(256);
  for (let seq = 65_000; seq < 65_536 + 100; seq++) history.store(packet(seq & 0xffff, 200), 200, seq & 0xffff);
  const out = Buffer.alloc(1500);
  let kept = 0;
  for (let seq = 65_536 + 100 - 256; seq < 65_536 + 100; seq++) {
    if (history.copy(seq & 0xffff, out) === 200 && out.subarray(0, 200).equals(packet(seq & 0xffff, 200))) kept++;
  }
  assert.equal(kept, 256, 'the last 256 packets, across the sequence wrap, as the slot buffer kept them');
  assert.equal(history.copy((65_536 + 100 - 257) & 0xffff, out), 0, 'the 257th newest is gone');
});

test('memory: the retransmit ring never returns overwritten bytes (random sizes against a model)', () => {
  const ring = 4000;
  const history = new RetransmitBuffer(64, 1200, ring);
  const sizes = new Map<number, number>();
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
  const out = Buffer.alloc(1500);
  for (let seq = 0; seq < 5000; seq++) {
    const length = 12 + Math.floor(random() * 1300); // some exceed the 1200-byte limit
    history.store(packet(seq, length), length, seq);
    sizes.set(seq, length);
    // The newest packet that fits is always there, and the packets before it while their total fits.
    let budget = ring;
    for (let back = seq; back >= 0 && back > seq - 64; back--) {
      const size = sizes.get(back) as number;
      const got = history.copy(back, out);
      if (got !== 0) assert.deepEqual(out.subarray(0, got), packet(back, size), `packet ${back} is intact when returned`);
      if (size > 1200) {
        assert.equal(got, 0, 'a packet over the limit is not kept');
        continue;
      }
      budget -= size;
      // Wrap padding may cost up to one packet; anything within budget minus that must be kept.
      if (budget >= 1200) assert.equal(got, size, `packet ${back} (within the byte budget) is kept`);
    }
  }
});
