import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JitterBuffer, Playout } from '../../core/src/media/audio/JitterBuffer.ts';

const pkt = (n: number): Uint8Array => new Uint8Array([n & 0xff, 1, 2]);

/** Pops until `count` frames are out, returning each frame's first byte (or 'lost' / 'none'). */
function drain(jb: JitterBuffer, count: number): Array<number | 'lost' | 'none'> {
  const out: Array<number | 'lost' | 'none'> = [];
  for (let i = 0; i < count; i++) {
    const kind = jb.pop();
    out.push(kind === Playout.packet ? (jb.payload[0] as number) : kind === Playout.lost ? 'lost' : 'none');
  }
  return out;
}

describe('audio jitter buffer', () => {
  it('waits for the prebuffer, then plays in sequence order despite reordering', () => {
    const jb = new JitterBuffer({ prebuffer: 3 });
    jb.push(10, pkt(10), -1);
    assert.deepEqual(drain(jb, 1), ['none'], 'prebuffering');
    jb.push(12, pkt(12), -1);
    jb.push(11, pkt(11), -1);
    assert.deepEqual(drain(jb, 4), [10, 11, 12, 'lost']);
  });

  it('conceals a hole and hands out the next packet for FEC', () => {
    const jb = new JitterBuffer({ prebuffer: 1 });
    jb.push(1, pkt(1), -1);
    jb.push(3, pkt(3), -1);
    assert.equal(jb.pop(), Playout.packet);
    assert.equal(jb.pop(), Playout.lost);
    assert.equal(jb.next?.[0], 3, 'the packet after the hole is offered for FEC');
    assert.equal(jb.pop(), Playout.packet);
    assert.equal(jb.stats.lost, 1);
  });

  it('drops late and duplicate packets, and counts them', () => {
    const jb = new JitterBuffer({ prebuffer: 1 });
    jb.push(5, pkt(5), -1);
    jb.push(5, pkt(5), -1);
    drain(jb, 1);
    jb.push(4, pkt(4), -1);
    jb.push(5, pkt(5), -1);
    assert.equal(jb.stats.duplicate, 1);
    assert.equal(jb.stats.late, 2);
  });

  it('drops 0-length and oversized payloads as invalid', () => {
    const jb = new JitterBuffer({ prebuffer: 0 });
    jb.push(1, new Uint8Array(0), -1);
    jb.push(2, new Uint8Array(2000), -1);
    assert.equal(jb.stats.invalid, 2);
    assert.equal(jb.stats.received, 0);
    assert.equal(jb.pop(), Playout.none);
  });

  it('follows the sequence number across its 16-bit wrap', () => {
    const jb = new JitterBuffer({ prebuffer: 2 });
    for (const seq of [65534, 65535, 0, 1]) jb.push(seq, pkt(seq), -1);
    assert.deepEqual(drain(jb, 4), [0xfe, 0xff, 0, 1]);
    assert.equal(jb.stats.late, 0);
  });

  it('bounds the delay by dropping the oldest frames', () => {
    const jb = new JitterBuffer({ prebuffer: 2, maxDelay: 4 });
    for (let seq = 100; seq < 110; seq++) jb.push(seq, pkt(seq), -1);
    assert.equal(jb.queued, 4);
    assert.equal(jb.stats.dropped, 6);
    assert.deepEqual(drain(jb, 4), [106, 107, 108, 109]);
  });

  it('goes idle when the sender stops, and restarts cleanly when it comes back', () => {
    const jb = new JitterBuffer({ prebuffer: 1, maxConcealed: 2 });
    jb.push(1, pkt(1), -1);
    assert.deepEqual(drain(jb, 4), [1, 'lost', 'lost', 'none']);
    assert.equal(jb.playing, false);
    jb.push(50, pkt(50), -1);
    assert.deepEqual(drain(jb, 2), [50, 'lost'], 'no concealment of the silent gap');
    assert.equal(jb.stats.resyncs, 2);
  });

  it('keeps the last played packets for a decoder warm-up', () => {
    const jb = new JitterBuffer({ prebuffer: 1 });
    for (let seq = 1; seq <= 5; seq++) jb.push(seq, pkt(seq), 40);
    drain(jb, 5);
    const into: Uint8Array[] = [];
    const n = jb.history(3, into);
    assert.deepEqual(
      into.slice(0, n).map((p) => p[0]),
      [3, 4, 5],
    );
  });
});
