// The load generator's reception report blocks (bench/src/load/TrafficCounters.ts), checked by
// parsing them with werift's RTCP code: fraction lost, cumulative lost, extended highest sequence,
// jitter (RFC 3550 §6.4.1, A.8), LSR and DLSR.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpReceiverInfo } from 'werift';
import { reportBlockBytes, StreamCounter, TrafficTotals } from '../../bench/src/load/TrafficCounters.ts';

describe('bench generator: RTCP reception report blocks', () => {
  it('reports loss over the interval and in total, the highest sequence across a wrap, jitter and LSR/DLSR', () => {
    const totals = new TrafficTotals();
    const stream = new StreamCounter(48_000);
    // 100 packets every 20 ms from seq 65500 (wrapping), perfectly on time; 4 of them lost.
    const lostSeqs = new Set([10, 11, 50, 90]);
    for (let i = 0; i < 100; i++) {
      if (lostSeqs.has(i)) continue;
      stream.onPacket((65_500 + i) & 0xffff, 1000 + i * 960, 100, 5000 + i * 20, totals);
    }
    stream.lastSr = 0x12345678;
    stream.lastSrAtMs = 6000;
    const out = Buffer.alloc(reportBlockBytes);
    stream.writeReportBlock(0xdeadbeef, out, 0, 6500);
    const block = RtcpReceiverInfo.deSerialize(out);
    assert.equal(block.ssrc, 0xdeadbeef);
    assert.equal(block.packetsLost, 4);
    assert.equal(block.fractionLost, Math.floor((4 * 256) / 100));
    assert.equal(block.highestSequence, 65_500 + 99, 'extended across the 16-bit wrap');
    assert.equal(block.jitter, 0, 'packets exactly on their RTP clock have no jitter');
    assert.equal(block.lsr, 0x12345678);
    assert.equal(block.dlsr, Math.round(0.5 * 65536), 'DLSR in 1/65536 s');

    // Next interval: 50 packets, none lost, each 10 ms off its clock in alternation: jitter grows.
    for (let i = 100; i < 150; i++) stream.onPacket((65_500 + i) & 0xffff, 1000 + i * 960, 100, 5000 + i * 20 + (i % 2) * 10, totals);
    stream.writeReportBlock(0xdeadbeef, out, 0, 7000);
    const next = RtcpReceiverInfo.deSerialize(out);
    assert.equal(next.fractionLost, 0, 'nothing lost in this interval');
    assert.equal(next.packetsLost, 4, 'cumulative loss kept');
    assert.ok(next.jitter > 200 && next.jitter <= 480, `jitter ~10 ms in 48 kHz units (${next.jitter})`);
  });
});
