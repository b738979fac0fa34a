// Issue 11: a trickled `.local` candidate made werift open a multicast-dns socket on
// 0.0.0.0:5353 per PeerConnection, with no 'error' listener: with 5353 held by another process
// (avahi) the gateway died on EADDRINUSE. The gateway runs as a child process here, so a crash
// shows as an exit instead of taking the test runner with it.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { CHILD_ADMIN_SECRET, startChildGateway, type ChildGateway } from '../support/childGateway.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { gathered } from '../support/syntheticMedia.ts';
import { adminRequest } from '../support/adminClient.ts';

const ECHOTEST = 'janus.plugin.echotest';
const MDNS_CANDIDATE = 'candidate:1 1 udp 2122260223 0f1e2d3c-aaaa-bbbb-cccc-111122223333.local 54321 typ host generation 0';
const FAKE_MDNS_CANDIDATE = 'candidate:2 1 udp 2122260223 evil.local.example 54322 typ host generation 0';

/** Holds UDP 5353 on loopback without SO_REUSEADDR, as avahi holding the port does for werift's bind; already held is as good. */
async function hold5353(): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve) => {
    socket.once('error', () => resolve());
    socket.bind({ port: 5353, address: '127.0.0.1', exclusive: true }, () => resolve());
  });
  return socket;
}

/** A werift client in an Echo Test with a data channel; `echo()` proves the session still works. */
async function echoSession(client: JanusClient): Promise<{ handle: number; pc: RTCPeerConnection; echo(text: string): Promise<void> }> {
  const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
  const handle = await client.attach(ECHOTEST);
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  const channel: RTCDataChannel = pc.createDataChannel('JanusDataChannel');
  const echoed: string[] = [];
  channel.onMessage.subscribe((m) => echoed.push(typeof m === 'string' ? m : m.toString('utf8')));
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const from = client.events.length;
  // Without end-of-candidates, as a trickling browser offers: later trickles still reach ICE.
  const sdp = (pc.localDescription?.sdp ?? '').replace(/a=end-of-candidates\r\n/g, '');
  const ack = await client.message(handle, { audio: true, video: false, data: true }, { type: 'offer', sdp });
  const answered = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 10_000, from);
  assert.ok(answered.jsep, 'the gateway answers');
  await pc.setRemoteDescription({ type: 'answer', sdp: answered.jsep.sdp });
  await client.waitForEvent((m) => m.janus === 'webrtcup' && m.sender === handle, 10_000, from);
  await waitFor(() => channel.readyState, (s) => s === 'open', 10_000, 'data channel open');
  return {
    handle,
    pc,
    echo: async (text) => {
      channel.send(text);
      await waitFor(() => echoed, (texts) => texts.includes(text), 5000, `echo of ${text}`);
    },
  };
}

async function remoteCandidates(gw: ChildGateway, client: JanusClient, handle: number): Promise<Record<string, number>> {
  const reply = await adminRequest(gw.adminUrl, { janus: 'handle_info', session_id: client.sessionId, handle_id: handle }, CHILD_ADMIN_SECRET);
  const info = reply.info as { webrtc?: { remote_candidates?: Record<string, number> } } | undefined;
  assert.ok(info?.webrtc?.remote_candidates, `handle_info shows the candidate counters: ${JSON.stringify(reply)}`);
  return info.webrtc.remote_candidates;
}

/** The gateway process is alive and answers a new session. */
async function assertServing(gw: ChildGateway): Promise<void> {
  assert.equal(gw.exit, undefined, `the gateway is still running:\n${gw.output().slice(-3000)}`);
  const other = await connectJanus('http', gw.httpUrl);
  try {
    assert.ok((await other.create()) > 0, 'a new session is created');
  } finally {
    await other.close();
  }
}

describe('mdns: .local candidates with UDP 5353 held by another process', () => {
  let holder: Socket;
  before(async () => {
    applyWeriftPatches();
    holder = await hold5353();
  });
  after(() => holder.close());

  it('mdns: default config: trickled .local and evil.local.example candidates are ignored and counted; the gateway keeps serving', async () => {
    const gw = await startChildGateway();
    const client = await connectJanus('ws', gw.wsUrl);
    let session: Awaited<ReturnType<typeof echoSession>> | undefined;
    try {
      const info = await client.info();
      assert.equal(info['mdns-enabled'], false);
      await client.create();
      session = await echoSession(client);
      await session.echo('before');
      assert.equal((await client.trickle(session.handle, { candidate: MDNS_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 })).janus, 'ack');
      assert.equal((await client.trickle(session.handle, { candidate: FAKE_MDNS_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 })).janus, 'ack');
      // The crash came within milliseconds of the trickle (a failed bind); leave it time to happen.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await assertServing(gw);
      await session.echo('after');
      const counters = await remoteCandidates(gw, client, session.handle);
      assert.equal(counters.ignored_mdns, 1, 'the .local candidate is ignored: mDNS is off');
      assert.equal(counters.ignored_hostname, 1, 'evil.local.example is not an mDNS name, and is not resolved either');
      assert.equal(counters.resolved_mdns, 0);
    } finally {
      await session?.pc.close();
      await client.close();
      await gw.stop();
    }
  });

  it('mdns: enabled on port 5353 while it is held: the resolver fails to bind, is logged, .local candidates are dropped; nothing crashes', async () => {
    const gw = await startChildGateway({ config: { webrtc: { mdns: { enabled: true, ip: '127.0.0.1', port: 5353 } } } });
    const client = await connectJanus('ws', gw.wsUrl);
    let session: Awaited<ReturnType<typeof echoSession>> | undefined;
    try {
      assert.equal((await client.info())['mdns-enabled'], true, 'server_info reflects the config');
      assert.match(gw.output(), /mDNS resolver could not bind/);
      await client.create();
      session = await echoSession(client);
      await client.trickle(session.handle, { candidate: MDNS_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 });
      await client.trickle(session.handle, { candidate: FAKE_MDNS_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await assertServing(gw);
      await session.echo('still here');
      const counters = await remoteCandidates(gw, client, session.handle);
      assert.equal(counters.unresolved_mdns, 1, 'the .local candidate found no resolver to answer it');
      assert.equal(counters.ignored_hostname, 1);
    } finally {
      await session?.pc.close();
      await client.close();
      await gw.stop();
    }
  });
});
