import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { decode, encode } from 'dns-packet';
import { pino } from 'pino';
import { MdnsResolver } from '../../core/src/webrtc/MdnsResolver.ts';
import { WebRtcPeer } from '../../core/src/webrtc/WebRtcPeer.ts';
import type { WebRtcOptions } from '../../core/src/webrtc/WebRtcOptions.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';

const log = pino({ level: 'silent' });

/** A responder on loopback that answers A queries from `names`, the way a legacy-unicast mDNS responder does. */
async function responder(names: Record<string, string>): Promise<{ socket: Socket; port: number; queries: string[] }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, rinfo) => {
    const query = decode(message);
    for (const q of query.questions ?? []) {
      queries.push(q.name);
      const address = names[q.name];
      if (address === undefined) continue;
      // A stray garbage datagram first: the resolver must shrug it off.
      socket.send(Buffer.from([1, 2, 3]), rinfo.port, rinfo.address);
      const answer = encode({ type: 'response', id: query.id, flags: 0x8400, questions: [q], answers: [{ type: 'A', class: 'IN', name: q.name.toUpperCase(), ttl: 10, data: address }] });
      socket.send(answer, rinfo.port, rinfo.address);
    }
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, queries };
}

test('mdns: the resolver answers a one-shot query from its ephemeral port, caches it, and ends lookups on close', async () => {
  const peer = await responder({ 'abc.local': '127.0.0.9' });
  const resolver = new MdnsResolver({ ip: '127.0.0.1', port: 0, timeoutMs: 300, maxPending: 4, destination: { address: '127.0.0.1', port: peer.port } }, log);
  try {
    await resolver.open();
    assert.equal(resolver.stats.state, 'open');
    const [a, b] = await Promise.all([resolver.resolve('abc.local'), resolver.resolve('abc.local')]);
    assert.equal(a, '127.0.0.9');
    assert.equal(b, '127.0.0.9');
    assert.deepEqual(peer.queries, ['abc.local'], 'two lookups of one name send one query');
    assert.equal(await resolver.resolve('abc.local'), '127.0.0.9');
    assert.equal(peer.queries.length, 1, 'the answer is cached for its TTL');
    assert.equal(await resolver.resolve('nobody.local'), undefined, 'no answer: undefined after the timeout');
    assert.equal(resolver.stats.timedOut, 1);
    const pending = resolver.resolve('late.local');
    await resolver.close();
    assert.equal(await pending, undefined, 'close ends pending lookups');
    await resolver.close();
    assert.equal(await resolver.resolve('abc.local'), undefined, 'a closed resolver answers nothing');
  } finally {
    await resolver.close();
    peer.socket.close();
  }
});

test('mdns: a resolver whose port is held fails to bind without throwing, and answers undefined', async () => {
  const holder = createSocket('udp4');
  holder.bind(0, '127.0.0.1');
  await once(holder, 'listening');
  const resolver = new MdnsResolver({ ip: '127.0.0.1', port: holder.address().port, timeoutMs: 200, maxPending: 4 }, log);
  try {
    await resolver.open();
    assert.equal(resolver.stats.state, 'failed');
    assert.equal(await resolver.resolve('abc.local'), undefined);
    assert.equal(resolver.stats.refused, 1);
  } finally {
    await resolver.close();
    holder.close();
  }
});

test('mdns: a PeerConnection resolves .local candidates through the shared resolver and never resolves other names', async () => {
  applyWeriftPatches();
  const asked: string[] = [];
  const options: WebRtcOptions = {
    iceIp: ['127.0.0.1'],
    nat11: undefined,
    portRange: undefined,
    iceLite: true,
    stunServer: undefined,
    noMediaTimerMs: 1000,
    mediaPlane: 'werift',
    mdnsResolver: { resolve: async (name) => (asked.push(name), name === 'abc.local' ? '127.0.0.9' : undefined) },
  };
  const offerer = new (await import('werift')).RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  const peer = new WebRtcPeer(options, (error) => assert.fail(String(error)));
  try {
    offerer.createDataChannel('x');
    await offerer.setLocalDescription(await offerer.createOffer());
    await peer.applyRemote({ type: 'offer', sdp: offerer.localDescription?.sdp ?? '' });
    await peer.addCandidate({ candidate: 'candidate:9 1 udp 2122260223 evil.local.example 5000 typ host', sdpMLineIndex: 0 });
    await peer.addCandidate({ candidate: 'candidate:8 1 udp 2122260223 ABC.local. 5001 typ host', sdpMLineIndex: 0 });
    await peer.addCandidate({ candidate: 'candidate:7 1 udp 2122260223 gone.local 5002 typ host', sdpMLineIndex: 0 });
    const deadline = Date.now() + 2000;
    while (peer.candidateStats.resolvedMdns + peer.candidateStats.unresolvedMdns < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(asked.sort(), ['abc.local', 'gone.local'], 'only mDNS names reach the resolver, in canonical form');
    assert.deepEqual(peer.candidateStats, { malformed: 0, ignoredMdns: 0, ignoredHostname: 1, resolvedMdns: 1, unresolvedMdns: 1 });
  } finally {
    peer.close();
    await offerer.close();
  }
});

test('mdns: without a resolver, .local candidates are ignored and counted', async () => {
  applyWeriftPatches();
  const options: WebRtcOptions = { iceIp: ['127.0.0.1'], nat11: undefined, portRange: undefined, iceLite: true, stunServer: undefined, noMediaTimerMs: 1000, mediaPlane: 'werift' };
  const peer = new WebRtcPeer(options, (error) => assert.fail(String(error)));
  const offerer = new (await import('werift')).RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  try {
    offerer.createDataChannel('x');
    await offerer.setLocalDescription(await offerer.createOffer());
    // One in the SDP, one trickled.
    const sdp = (offerer.localDescription?.sdp ?? '').replace(/(a=candidate:[^\r\n]*\r\n)/, '$1a=candidate:5 1 udp 2122260223 in-sdp.local 5003 typ host\r\n');
    await peer.applyRemote({ type: 'offer', sdp });
    await peer.addCandidate({ candidate: 'candidate:8 1 udp 2122260223 abc.local 5001 typ host', sdpMLineIndex: 0 });
    assert.deepEqual(peer.candidateStats, { malformed: 0, ignoredMdns: 2, ignoredHostname: 0, resolvedMdns: 0, unresolvedMdns: 0 });
  } finally {
    peer.close();
    await offerer.close();
  }
});
