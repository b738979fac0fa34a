// SRTP/SRTCP protect and unprotect of both engines, checked against werift's SrtpSession /
// SrtcpSession as the independent implementation: byte-for-byte, across the ROC rollover, with
// replay and tampering rejected and counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SrtpResult } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';
import {
  createSrtpFanout,
  engines,
  fanOut,
  masterKey,
  profiles,
  rtcpReceiverReport,
  rtpPacket,
  weriftSessions,
} from '../support/srtpFixtures.ts';

for (const engine of engines)
  for (const profile of profiles) {
    const peerKey = masterKey(1, profile.id); // what the subscriber/publisher side sends with
    const gatewayKey = masterKey(40, profile.id); // what Cardea sends with
    describe(`srtp (${engine}, ${profile.name}): protect and unprotect interoperate with werift`, () => {
      it('a protected copy unprotects with werift to the rewritten plaintext, byte for byte', () => {
        const fanout = createSrtpFanout({ engine, maxSubscribers: 4 });
        const id = fanout.addEgress(gatewayKey, { ssrc: 0xcafe, initialSequence: 1000, initialTimestamp: 5000 });
        const werift = weriftSessions(peerKey, gatewayKey);
        for (const payloadBytes of [0, 1, 15, 16, 17, 100, 1188]) {
          const packet = rtpPacket({
            seq: 10 + payloadBytes,
            ts: 90 * payloadBytes,
            ssrc: 0x1234,
            payloadBytes,
            csrcs: 1,
            extensionWords: 2,
          });
          const [copy] = fanOut(fanout, packet, [id]);
          assert.ok(copy);
          assert.equal(copy.length, packet.length + profile.tag);
          const plain = werift.srtp.decrypt(copy);
          assert.equal(plain.readUInt32BE(8), 0xcafe);
          assert.deepEqual(plain.subarray(12), packet.subarray(12), `payload of ${payloadBytes} bytes`);
        }
      });

      it('matches werift encrypt byte for byte when no rewrite changes the header', () => {
        const fanout = createSrtpFanout({ engine });
        const werift = weriftSessions(gatewayKey, peerKey);
        const packet = rtpPacket({ seq: 777, ts: 123456, ssrc: 0xabcd, pt: 111, payloadBytes: 160 });
        const id = fanout.addEgress(gatewayKey, { ssrc: 0xabcd, initialSequence: 777, initialTimestamp: 123456 });
        const [copy] = fanOut(fanout, packet, [id]);
        const header = weriftHeader(packet);
        assert.deepEqual(copy, werift.srtp.encrypt(packet.subarray(12), header));
      });

      it('ROC rolls over at the sequence wrap on both sides (RFC 3711 §3.3.1)', () => {
        const fanout = createSrtpFanout({ engine });
        const id = fanout.addEgress(gatewayKey, { ssrc: 7, initialSequence: 65530, initialTimestamp: 0 });
        const ingress = createSrtpFanout({ engine });
        const inId = ingress.addIngress(gatewayKey);
        const werift = weriftSessions(peerKey, gatewayKey);
        for (let i = 0; i < 12; i++) {
          const packet = rtpPacket({ seq: 100 + i, ts: i * 960, ssrc: 1, payloadBytes: 50 });
          const [copy] = fanOut(fanout, packet, [id]);
          assert.ok(copy);
          assert.equal(copy.readUInt16BE(2), (65530 + i) & 0xffff);
          assert.deepEqual(werift.srtp.decrypt(copy).subarray(12), packet.subarray(12), `packet ${i} after the wrap`);
          ingress.input.set(copy);
          assert.equal(ingress.unprotect(inId, copy.length), packet.length, `Cardea unprotect of packet ${i}`);
          assert.deepEqual(ingress.input.subarray(12, packet.length), packet.subarray(12));
        }
      });

      it('unprotects werift-protected packets, and rejects replays and bad tags without throwing', () => {
        const fanout = createSrtpFanout({ engine });
        const id = fanout.addIngress(peerKey);
        const werift = weriftSessions(peerKey, gatewayKey);
        const sent = [5, 6, 8, 7].map((seq) => {
          const packet = rtpPacket({ seq, ts: seq * 960, ssrc: 99, payloadBytes: 80 });
          return { packet, srtp: werift.srtp.encrypt(packet.subarray(12), weriftHeader(packet)) };
        });
        for (const { packet, srtp } of sent) {
          fanout.input.set(srtp);
          assert.equal(fanout.unprotect(id, srtp.length), packet.length);
          assert.deepEqual(fanout.input.subarray(0, packet.length), packet);
        }
        const replay = sent[1]?.srtp ?? Buffer.alloc(0);
        fanout.input.set(replay);
        assert.equal(fanout.unprotect(id, replay.length), SrtpResult.replayed);
        const tampered = Buffer.from(sent[3]?.srtp ?? Buffer.alloc(0));
        tampered.writeUInt16BE(9, 2); // a fresh index, but the tag no longer matches
        fanout.input.set(tampered);
        assert.equal(fanout.unprotect(id, tampered.length), SrtpResult.authFailed);
        const stats = fanout.stats();
        assert.equal(stats.unprotected, 4);
        assert.equal(stats.replayed, 1);
        assert.equal(stats.authFailed, 1);
      });

      it('rejects packets older than the 64-packet window (RFC 3711 §3.3.2)', () => {
        const fanout = createSrtpFanout({ engine });
        const id = fanout.addIngress(peerKey);
        const werift = weriftSessions(peerKey, gatewayKey);
        const protect = (seq: number) => {
          const packet = rtpPacket({ seq, ts: seq, ssrc: 5, payloadBytes: 20 });
          return werift.srtp.encrypt(packet.subarray(12), weriftHeader(packet));
        };
        const early = protect(1000);
        const late = protect(1100);
        const inWindow = protect(1050);
        const unprotect = (p: Buffer) => {
          fanout.input.set(p);
          return fanout.unprotect(id, p.length);
        };
        assert.ok(unprotect(late) > 0);
        assert.equal(unprotect(early), SrtpResult.replayed);
        assert.ok(unprotect(inWindow) > 0);
        assert.equal(unprotect(inWindow), SrtpResult.replayed);
      });

      it('SRTCP: protectRtcp output unprotects with werift; werift SRTCP unprotects here', () => {
        const fanout = createSrtpFanout({ engine });
        const egress = fanout.addEgress(gatewayKey, { ssrc: 1 });
        const ingress = fanout.addIngress(peerKey);
        const werift = weriftSessions(peerKey, gatewayKey);
        for (let i = 0; i < 3; i++) {
          const rr = rtcpReceiverReport(0x5000 + i);
          fanout.input.set(rr);
          const length = fanout.protectRtcp(egress, rr.length);
          assert.equal(length, rr.length + 4 + profile.tag);
          const srtcp = Buffer.from(fanout.input.subarray(0, length));
          const indexAt = profile.id === 7 ? length - 4 : rr.length; // GCM: after the tag (RFC 7714 §9)
          assert.equal(srtcp.readUInt32BE(indexAt), (0x80000000 | i) >>> 0, 'E flag and SRTCP index');
          assert.deepEqual(werift.srtcp.decrypt(srtcp).subarray(0, rr.length), rr);
        }
        const rr = rtcpReceiverReport(0x6000);
        const protectedByWerift = werift.srtcp.encrypt(rr);
        fanout.input.set(protectedByWerift);
        assert.equal(fanout.unprotectRtcp(ingress, protectedByWerift.length), rr.length);
        assert.deepEqual(fanout.input.subarray(0, rr.length), rr);
        fanout.input.set(protectedByWerift);
        assert.equal(fanout.unprotectRtcp(ingress, protectedByWerift.length), SrtpResult.replayed);
      });

      it('drops and counts malformed RTP and RTCP without throwing', () => {
        const fanout = createSrtpFanout({ engine });
        const egress = fanout.addEgress(gatewayKey, { ssrc: 1 });
        const ingress = fanout.addIngress(peerKey);
        const good = rtpPacket({ seq: 1, ts: 1, ssrc: 1, payloadBytes: 40 });
        const cases: [string, Buffer, number][] = [
          ['too short', good.subarray(0, 11), SrtpResult.tooShort],
          ['version 1', Buffer.concat([Buffer.from([0x40]), good.subarray(1)]), SrtpResult.badVersion],
          ['CSRC count past the end', Buffer.concat([Buffer.from([0x8f]), good.subarray(1, 30)]), SrtpResult.badHeader],
          [
            'extension length past the end',
            rtpPacket({ seq: 1, ts: 1, ssrc: 1, payloadBytes: 0, extensionWords: 1 }).fill(0xff, 14, 16),
            SrtpResult.badHeader,
          ],
        ];
        for (const [name, packet, result] of cases) {
          fanout.input.set(packet);
          assert.equal(fanout.fanout(packet.length, [egress], 1), result, `fanout: ${name}`);
          fanout.input.set(packet);
          assert.ok(fanout.unprotect(ingress, packet.length) < 0, `unprotect: ${name}`);
        }
        fanout.input.set(Buffer.from([0x80, 96, 0, 1]));
        assert.equal(fanout.protectRtcp(egress, 4), SrtpResult.tooShort);
        fanout.input.set(rtpPacket({ seq: 1, ts: 1, ssrc: 1, payloadBytes: 40 }));
        assert.equal(fanout.protectRtcp(egress, 52), SrtpResult.badHeader, 'RTP payload type is not RTCP');
        assert.equal(fanout.fanout(fanout.maxPacketBytes + 1, [egress], 1), SrtpResult.tooLong);
        const stats = fanout.stats();
        assert.equal(stats.malformed, 4 + 4 + 2);
        assert.equal(stats.tooLong, 1);
        assert.equal(stats.copies, 0);
      });
    });
  }

/** werift's parsed header of a plaintext packet (what its encrypt() takes). */
function weriftHeader(packet: Buffer) {
  return RtpHeader.deSerialize(packet);
}
import { RtpHeader } from 'werift';
