import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RTCRtpSender, RtcpSenderInfo } from 'werift';
import { fixSenderNtp, ntpNow } from '../../core/src/webrtc/weriftPatches.ts';

const toUnixMs = (ntp: bigint): number => Number(ntp >> 32n) * 1000 + (Number(ntp & 0xffffffffn) / 2 ** 32) * 1000 - 2_208_988_800_000;

test('werift patches: ntpNow is the wall clock in NTP format (fraction in 2^-32 s)', () => {
  const before = Date.now();
  const ntp = ntpNow();
  const after = Date.now();
  const ms = toUnixMs(ntp);
  assert.ok(ms >= before - 2 && ms <= after + 2, `${ms} within [${before}, ${after}]`);
});

test('werift patches: a sender report of a patched sender carries the correct NTP time (regression: werift fraction bug)', () => {
  const sender = new RTCRtpSender('audio');
  fixSenderNtp(sender);
  // werift writes its own (wrong) value on every sendRtp; the patch records the correct time instead.
  (sender as unknown as { ntpTimestamp: bigint }).ntpTimestamp = 123n;
  const value = (sender as unknown as { ntpTimestamp: bigint }).ntpTimestamp;
  const info = new RtcpSenderInfo({ ntpTimestamp: value, rtpTimestamp: 0, packetCount: 0, octetCount: 0 });
  assert.ok(Math.abs(toUnixMs(info.ntpTimestamp) - Date.now()) < 50, 'SR NTP time is within 50 ms of now');
  // The fraction grows monotonically within a second (werift's did not).
  const a = ntpNow();
  const b = ntpNow();
  assert.ok(b >= a);
});
