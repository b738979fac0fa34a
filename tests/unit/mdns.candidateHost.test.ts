import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from 'werift';
import { candidateAddress, classifyCandidateHost, mdnsName, takeNonIpCandidates, withCandidateAddress } from '../../core/src/webrtc/candidateHost.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { weriftGuardCounters } from '../../core/src/webrtc/mdnsPatch.ts';

test('mdns: only a host that ends in .local (any case, optional root dot) is an mDNS name', () => {
  assert.equal(classifyCandidateHost('192.0.2.7'), 'ip');
  assert.equal(classifyCandidateHost('::1'), 'ip');
  assert.equal(classifyCandidateHost('0f1e2d3c-aaaa-bbbb-cccc-111122223333.local'), 'mdns');
  assert.equal(classifyCandidateHost('Host-1.LOCAL'), 'mdns');
  assert.equal(classifyCandidateHost('host.local.'), 'mdns');
  assert.equal(mdnsName('Host-1.LOCAL.'), 'host-1.local', 'canonical form: lower case, no root dot');
  for (const host of ['evil.local.example', 'local', '.local', 'a..local', 'example.org', 'x.localhost', 'x.local..', '-x.local', 'x y.local', `${'a'.repeat(64)}.local`]) {
    assert.equal(classifyCandidateHost(host), 'hostname', host);
    assert.equal(mdnsName(host), undefined, host);
  }
});

test('mdns: candidate addresses are read and replaced in the fifth field', () => {
  const line = 'candidate:1 1 udp 2122260223 abc.local 54321 typ host generation 0';
  assert.equal(candidateAddress(line), 'abc.local');
  assert.equal(withCandidateAddress(line, '192.0.2.9'), 'candidate:1 1 udp 2122260223 192.0.2.9 54321 typ host generation 0');
  assert.equal(candidateAddress('candidate:1 1 udp'), undefined);
});

test('mdns: non-IP candidates are taken out of a remote SDP, deduplicated across bundled m-lines', () => {
  const sdp = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=candidate:1 1 udp 2122260223 abc.local 5000 typ host',
    'a=candidate:2 1 udp 2122260223 127.0.0.1 5001 typ host',
    'a=candidate:3 1 udp 2122260223 evil.local.example 5002 typ host',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=candidate:1 1 udp 2122260223 abc.local 5000 typ host',
    '',
  ].join('\r\n');
  const { sdp: kept, taken } = takeNonIpCandidates(sdp);
  assert.deepEqual(taken, ['candidate:1 1 udp 2122260223 abc.local 5000 typ host', 'candidate:3 1 udp 2122260223 evil.local.example 5002 typ host']);
  assert.ok(kept.includes('127.0.0.1 5001'), 'IP candidates stay');
  assert.ok(!kept.includes('.local'), 'no name is left for werift');
  assert.ok(kept.endsWith('\r\n'));
});

test('mdns: patched werift never takes the mDNS path (no MdnsLookup) for evil.local.example or a .local host', async () => {
  applyWeriftPatches();
  const connection = new Connection(false, { iceLite: true });
  const internals = connection as unknown as { lookup: unknown; remoteCandidates: unknown[] };
  const before = weriftGuardCounters.nonIpCandidates;
  const candidate = (host: string) => ({ host, port: 5000, type: 'host', component: 1, foundation: '1', priority: 1, transport: 'udp' });
  await connection.addRemoteCandidate(candidate('evil.local.example') as never);
  await connection.addRemoteCandidate(candidate('abc.local') as never);
  assert.equal(internals.lookup, undefined, 'werift created no MdnsLookup (and so no socket on 5353)');
  assert.equal(internals.remoteCandidates.length, 0, 'neither candidate reached the check list');
  assert.equal(weriftGuardCounters.nonIpCandidates - before, 2, 'both are counted');
  await connection.close();
});
