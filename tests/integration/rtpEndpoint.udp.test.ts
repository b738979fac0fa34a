// RTP endpoints of the fast plane over real loopback UDP: an endpoint's stream routed out of
// another endpoint (valid RTP, the destination's payload type and SSRC, continuous sequence numbers
// across a source restart), latching, malformed packets counted, SDES-SRTP both ways with the SRTP
// engine, RTCP (receiver reports, PLI relayed), ports released on close, forwardRtp as an endpoint.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { FastMediaPlane } from '../../core/src/media/fast/FastMediaPlane.ts';
import { createSrtpFanout } from '../../core/src/media/srtp/createSrtpFanout.ts';
import { sdesMasterKey } from '../../core/src/media/rtp/sdesKeys.ts';
import { rtpPacket } from '../support/srtpFixtures.ts';

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function udp(): Promise<{ socket: Socket; port: number; got: Buffer[] }> {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, got };
}

/** The packets of a compound RTCP packet: type, offset and size (RFC 3550 §6.1). */
function compound(p: Buffer): Array<{ pt: number; at: number; size: number }> {
  const out: Array<{ pt: number; at: number; size: number }> = [];
  for (let at = 0; at + 4 <= p.length; ) {
    const size = (p.readUInt16BE(at + 2) + 1) * 4;
    out.push({ pt: p[at + 1] as number, at, size });
    at += size;
  }
  return out;
}

const send = (s: Socket, b: Buffer, port: number) => new Promise<void>((resolve, reject) => s.send(b, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));

describe('rtp endpoint: plain RTP over loopback UDP', () => {
  const plane = new FastMediaPlane();
  const sockets: Socket[] = [];
  after(() => {
    plane.close();
    for (const s of sockets) s.close();
  });

  it('routes an endpoint to another endpoint: the receiver sees valid RTP, its payload type and SSRC, continuous sequence numbers across a source restart', async () => {
    const sink = await udp();
    const source = await udp();
    sockets.push(sink.socket, source.socket);
    const a = await plane.openRtpEndpoint({ kind: 'video', direction: 'recvonly', payloadType: 96, codec: 'vp8' });
    const b = await plane.openRtpEndpoint({ kind: 'video', direction: 'sendonly', payloadType: 100, codec: 'vp8', ssrc: 0x1234, remote: { host: '127.0.0.1', port: sink.port } });
    assert.ok(a.id < 0 && b.id < 0 && a.id !== b.id, 'endpoint ids are negative and distinct');
    assert.equal(a.ports.rtp % 2, 0, 'RTP on an even port');
    assert.equal(a.ports.rtcp, a.ports.rtp + 1, 'RTCP on the next port');
    plane.addRoute({ from: a.id, to: b.id, kinds: ['video'] });
    for (let i = 0; i < 10; i++) await send(source.socket, rtpPacket({ seq: 1000 + i, ts: 90000 + i * 3000, ssrc: 0xaaaa, pt: 96, payloadBytes: 50 }), a.ports.rtp);
    // The source restarts with a new SSRC and random sequence numbers (as ffmpeg does).
    for (let i = 0; i < 10; i++) await send(source.socket, rtpPacket({ seq: 60000 + i, ts: 5 + i * 3000, ssrc: 0xbbbb, pt: 96, payloadBytes: 50 }), a.ports.rtp);
    await waitFor(() => sink.got.length >= 20, 5000);
    const seqs = sink.got.map((p) => p.readUInt16BE(2));
    for (const p of sink.got) {
      assert.equal(p[0]! >> 6, 2, 'RTP version 2');
      assert.equal(p[1]! & 0x7f, 100, "the destination's payload type");
      assert.equal(p.readUInt32BE(8), 0x1234, "the destination's SSRC");
      assert.equal(p.length, 62, 'plain RTP: no SRTP tag');
    }
    for (let i = 1; i < seqs.length; i++) assert.equal((seqs[i]! - seqs[i - 1]!) & 0xffff, 1, `sequence continuous at ${i}`);
    const stats = plane.rtpEndpointStats(a.id);
    assert.equal(stats?.packetsIn, 20);
    assert.equal(stats?.remote, `127.0.0.1:${source.port}`, 'latched to the first source');
    assert.equal(plane.rtpEndpointStats(b.id)?.packetsOut, 20);
  });

  it('latches to the first source and drops and counts other sources; malformed packets are counted, never thrown', async () => {
    const first = await udp();
    const other = await udp();
    sockets.push(first.socket, other.socket);
    const e = await plane.openRtpEndpoint({ kind: 'audio', direction: 'recvonly' });
    await send(first.socket, Buffer.from([0x80, 111, 0]), e.ports.rtp); // too short: not latched to
    await send(first.socket, Buffer.from('not rtp at all, just text'), e.ports.rtp); // version 1
    const ext = rtpPacket({ seq: 1, ts: 1, ssrc: 9, pt: 111, payloadBytes: 2 });
    ext[0] = 0x90; // claims a header extension past the end
    await send(first.socket, ext, e.ports.rtp);
    await send(first.socket, rtpPacket({ seq: 1, ts: 0, ssrc: 7, pt: 0 }), e.ports.rtp); // wrong payload type
    await send(first.socket, rtpPacket({ seq: 2, ts: 960, ssrc: 7, pt: 111 }), e.ports.rtp);
    await send(other.socket, rtpPacket({ seq: 3, ts: 1920, ssrc: 7, pt: 111 }), e.ports.rtp);
    await send(other.socket, Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 1]), e.ports.rtcp);
    await waitFor(() => (plane.rtpEndpointStats(e.id)?.foreignSource ?? 0) >= 2, 5000);
    const stats = plane.rtpEndpointStats(e.id);
    assert.equal(stats?.malformed, 3);
    assert.equal(stats?.wrongPayloadType, 1);
    assert.equal(stats?.packetsIn, 1);
    assert.equal(stats?.foreignSource, 2, 'RTP and RTCP from another source dropped');
    assert.equal(stats?.remote, `127.0.0.1:${first.port}`);
  });

  it('sends receiver reports to the latched source and relays a PLI asked of it to its RTCP port', async () => {
    const rtp = await udp();
    const rtcp = createSocket('udp4');
    const rtcpGot: Buffer[] = [];
    rtcp.on('message', (m) => rtcpGot.push(m));
    await new Promise<void>((resolve) => rtcp.bind(rtp.port + 1, '127.0.0.1', resolve));
    sockets.push(rtp.socket, rtcp);
    const e = await plane.openRtpEndpoint({ kind: 'video', direction: 'recvonly' });
    for (let i = 0; i < 5; i++) await send(rtp.socket, rtpPacket({ seq: i * 2, ts: i * 3000, ssrc: 0x77, pt: 96 }), e.ports.rtp); // every other packet lost
    await waitFor(() => plane.rtpEndpointStats(e.id)?.packetsIn === 5, 5000);
    plane.requestKeyframe(e.id);
    await waitFor(() => rtcpGot.some((p) => p.includes(Buffer.from([0x81, 206]))), 5000);
    await waitFor(() => rtcpGot.some((p) => p[1] === 201 && (p[0]! & 0x1f) === 1), 5000);
    const rr = rtcpGot.find((p) => p[1] === 201 && (p[0]! & 0x1f) === 1)!;
    assert.equal(rr.readUInt32BE(8), 0x77, 'the report block is about the received SSRC');
    assert.equal(rr.readUIntBE(13, 3), 4, 'cumulative lost: 4');
    assert.equal(plane.rtpEndpointStats(e.id)?.lost, 4);
    assert.ok((plane.rtpEndpointStats(e.id)?.keyframeRequestsOut ?? 0) >= 1);
    // Every compound packet carries an SDES CNAME of the endpoint's SSRC, right after the report (RFC 3550 §6.1).
    const cnames = new Set<string>();
    for (const p of rtcpGot) {
      const types = compound(p);
      assert.ok(types[0]?.pt === 200 || types[0]?.pt === 201, 'starts with SR or RR');
      const sdes = types.find((t) => t.pt === 202);
      assert.ok(sdes, `an SDES in the compound ${types.map((t) => t.pt).join('+')}`);
      assert.equal(types.indexOf(sdes), 1, 'SDES right after the report');
      assert.equal(p.readUInt32BE(sdes.at + 4), p.readUInt32BE(4), "the CNAME is the sender's");
      assert.equal(p[sdes.at + 8], 1, 'item CNAME');
      const length = p[sdes.at + 9] as number;
      assert.ok(length > 0 && sdes.at + 10 + length < sdes.at + sdes.size, 'non-empty, null-terminated within the chunk');
      assert.equal(p[sdes.at + 10 + length], 0, 'END item');
      cnames.add(p.subarray(sdes.at + 10, sdes.at + 10 + length).toString());
    }
    assert.equal(cnames.size, 1, 'one CNAME for the endpoint');
  });

  it('SDES-SRTP: what it receives is unprotected, what it sends is protected with its key (checked with the engine)', async () => {
    const suite = 'AES_CM_128_HMAC_SHA1_80' as const;
    const sink = await udp();
    const source = await udp();
    sockets.push(sink.socket, source.socket);
    const a = await plane.openRtpEndpoint({ kind: 'audio', direction: 'recvonly', srtp: { suite } });
    const b = await plane.openRtpEndpoint({ kind: 'audio', direction: 'sendonly', srtp: { suite }, remote: { host: '127.0.0.1', port: sink.port } });
    assert.ok(a.srtp && b.srtp, 'generated keys are returned');
    plane.addRoute({ from: a.id, to: b.id, kinds: ['audio'] });
    const remote = createSrtpFanout({ engine: 'node' });
    const protect = remote.addEgress(sdesMasterKey(suite, a.srtp.key), { ssrc: 0x5150, initialSequence: 10 });
    const unprotect = remote.addIngress(sdesMasterKey(suite, b.srtp.key));
    const payload = Buffer.from('opus frame bytes');
    for (let i = 0; i < 5; i++) {
      const plain = rtpPacket({ seq: i, ts: i * 960, ssrc: 1, pt: 111, payloadBytes: payload.length });
      payload.copy(plain, 12);
      remote.input.set(plain);
      const n = remote.fanout(plain.length, [protect], 1);
      assert.equal(n, 1);
      await send(source.socket, Buffer.from(remote.arena.subarray(remote.outOffsets[0], remote.outOffsets[0]! + remote.outLengths[0]!)), a.ports.rtp);
    }
    // A forged packet (wrong key) is refused and counted.
    await send(source.socket, Buffer.concat([rtpPacket({ seq: 9, ts: 0, ssrc: 0x5150, pt: 111 }), Buffer.alloc(10)]), a.ports.rtp);
    await waitFor(() => sink.got.length >= 5, 5000);
    for (const packet of sink.got) {
      assert.equal(packet.length, 12 + payload.length + 10, 'SRTP: 10-byte tag');
      assert.notDeepEqual(packet.subarray(12, 12 + payload.length), payload, 'encrypted');
      remote.input.set(packet);
      const n = remote.unprotect(unprotect, packet.length);
      assert.equal(n, 12 + payload.length, 'authenticates with the endpoint key');
      assert.deepEqual(remote.input.subarray(12, n), payload);
    }
    await waitFor(() => (plane.rtpEndpointStats(a.id)?.srtpFailed ?? 0) === 1, 5000);
  });

  it('refuses the 32-bit-tag suite and a host name, with a reason', async () => {
    await assert.rejects(plane.openRtpEndpoint({ kind: 'audio', srtp: { suite: 'AES_CM_128_HMAC_SHA1_32' } }), /not implemented by the SRTP engine/);
    await assert.rejects(plane.openRtpEndpoint({ kind: 'audio', host: 'localhost' }), /IP address/);
  });

  it('close releases its ports (they can be bound again) and its routes', async () => {
    const e = await plane.openRtpEndpoint({ kind: 'audio', portRange: [42000, 42100] });
    assert.ok(e.ports.rtp >= 42000 && e.ports.rtp <= 42100);
    await assert.rejects(plane.openRtpEndpoint({ kind: 'audio', port: e.ports.rtp }), /taken/);
    plane.closeRtpEndpoint(e.id);
    plane.closeRtpEndpoint(e.id); // idempotent
    assert.equal(plane.rtpEndpointStats(e.id), undefined);
    const again = await plane.openRtpEndpoint({ kind: 'audio', port: e.ports.rtp });
    assert.equal(again.ports.rtp, e.ports.rtp);
    plane.closeRtpEndpoint(again.id);
  });
});
