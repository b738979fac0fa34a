import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { RetransmitBuffer } from '../../core/src/media/fast/RetransmitBuffer.ts';
import { ReceiveStats } from '../../core/src/media/fast/ReceiveStats.ts';
import { parseRtcp, writeNack, writePli, writeReceiverReport, writeRemb, writeSenderReport } from '../../core/src/media/fast/rtcpPackets.ts';
import { findExtension, readAudioLevel, readStringExtension, rtpPayloadOffset, rtpSequence, rtpSsrc } from '../../core/src/media/fast/rtpHeader.ts';

function packet(extensions: Array<{ id: number; payload: Buffer }>): Buffer {
  const header = new RtpHeader({ payloadType: 111, sequenceNumber: 4242, timestamp: 99, ssrc: 0xdeadbeef, extension: extensions.length > 0, extensionProfile: 0xbede, extensions });
  return new RtpPacket(header, Buffer.from([1, 2, 3])).serialize();
}

test('fast path: RTP header reads (one-byte extensions: mid, audio level) match werift serialisation', () => {
  const buf = packet([{ id: 1, payload: Buffer.from([0x80 | 30]) }, { id: 4, payload: Buffer.from('a1') }]);
  assert.equal(rtpSsrc(buf), 0xdeadbeef);
  assert.equal(rtpSequence(buf), 4242);
  assert.equal(readAudioLevel(buf, buf.length, 1), 30);
  assert.equal(readStringExtension(buf, buf.length, 4), 'a1');
  assert.equal(findExtension(buf, buf.length, 9), -1);
  assert.deepEqual([...buf.subarray(rtpPayloadOffset(buf, buf.length))], [1, 2, 3]);
});

test('fast path: malformed RTP headers are refused, never read past the end', () => {
  assert.equal(rtpPayloadOffset(Buffer.alloc(8), 8), -1, 'too short');
  const bad = packet([{ id: 1, payload: Buffer.from([1]) }]);
  bad[0] = 0x40; // version 1
  assert.equal(rtpPayloadOffset(bad, bad.length), -1);
  const truncated = packet([{ id: 4, payload: Buffer.from('abcdef') }]).subarray(0, 16);
  assert.equal(findExtension(truncated, truncated.length, 4), -1);
});

test('fast path: RTCP we write parses back (RR, SR, PLI, REMB, NACK in one compound packet)', () => {
  const out = Buffer.alloc(1500);
  let end = writeReceiverReport(out, 1, [{ ssrc: 7, fractionLost: 12, cumulativeLost: 3, highestSeq: 70000, jitter: 5, lsr: 0, dlsr: 0 }]);
  end = writePli(out, end, 1, 7);
  end = writeRemb(out, end, 1, 300_000, [7]);
  end = writeNack(out, end, 1, 7, 100, 3);
  const seen: string[] = [];
  const ok = parseRtcp(out, end, {
    reportBlock: (ssrc, fraction) => seen.push(`rb ${ssrc} ${fraction}`),
    keyframe: (ssrc) => seen.push(`pli ${ssrc}`),
    remb: (bps) => seen.push(`remb ${Math.round(bps / 1000)}`),
    nack: (ssrc, pid, blp) => seen.push(`nack ${ssrc} ${pid} ${blp}`),
  });
  assert.ok(ok);
  assert.deepEqual(seen, ['rb 7 12', 'pli 7', 'remb 300', 'nack 7 100 3']);
  const sr = Buffer.alloc(28);
  writeSenderReport(sr, 9, 0x0102030405060708n, 1, 2, 3);
  let middle = 0;
  assert.ok(parseRtcp(sr, 28, { senderReport: (_s, m) => (middle = m) }));
  assert.equal(middle, 0x03040506);
  assert.equal(parseRtcp(out, end - 1, {}), false, 'a truncated compound packet is malformed');
});

test('fast path: the retransmission buffer keeps the last packets by sequence number and no more', () => {
  const history = new RetransmitBuffer(4, 100);
  for (let seq = 10; seq < 16; seq++) history.store(Buffer.alloc(20, seq), 20, seq);
  const out = Buffer.alloc(100);
  assert.equal(history.copy(11, out), 0, 'overwritten');
  assert.equal(history.copy(15, out), 20);
  assert.equal(out[0], 15);
  history.store(Buffer.alloc(200), 200, 16);
  assert.equal(history.copy(16, out), 0, 'larger than a slot: not kept');
});

test('fast path: receive statistics count loss across a sequence wrap', () => {
  const stats = new ReceiveStats(1, 90000);
  for (const seq of [65533, 65534, 0, 1, 3]) stats.add(seq, 0, 0);
  const block = stats.block(0);
  assert.equal(block.cumulativeLost, 2, '65535 and 2 are missing');
  assert.equal(block.highestSeq, 65536 + 3);
  assert.ok(block.fractionLost > 0);
});
