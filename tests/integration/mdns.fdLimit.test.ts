// Issue 11: with the process's fd limit at 300, 100 PeerConnections with trickled `.local`
// candidates killed the gateway (`bind EMFILE 0.0.0.0:5353`, an unhandled 'error' from werift's
// per-PeerConnection multicast-dns socket). Here the gateway runs under `prlimit --nofile=300:300`
// and 200 PeerConnections are attempted; some may fail cleanly when descriptors run out, but the
// process must stay up and keep answering the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startChildGateway } from '../support/childGateway.ts';
import { connectJanus, type JanusMessage } from '../support/janusClient.ts';
import { gathered } from '../support/syntheticMedia.ts';

const PEER_CONNECTIONS = 200;
const PARALLEL = 10;

/** One werift offer (audio + data, no end-of-candidates: the client keeps trickling). */
async function makeOffer(): Promise<string> {
  applyWeriftPatches();
  const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
  try {
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    pc.createDataChannel('JanusDataChannel');
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return (pc.localDescription?.sdp ?? '').replace(/a=end-of-candidates\r\n/g, '');
  } finally {
    await pc.close();
  }
}

async function attempt(nofile: number): Promise<void> {
  const offer = await makeOffer();
  const gw = await startChildGateway({ nofile });
  const client = await connectJanus('ws', gw.wsUrl, { requestTimeoutMs: 20_000 });
  try {
    await client.create();
    const outcomes = { answered: 0, failed: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < PEER_CONNECTIONS && gw.exit === undefined) {
        const n = next++;
        const handle = await client.attach('janus.plugin.echotest');
        const from = client.events.length;
        const ack = await client.message(handle, { audio: true, video: false }, { type: 'offer', sdp: offer });
        await client.trickle(handle, { candidate: `candidate:${n} 1 udp 2122260223 peer-${n}.local ${40000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });
        const reply: JanusMessage = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 20_000, from);
        if (reply.jsep?.type === 'answer') outcomes.answered++;
        else outcomes.failed++;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(gw.exit, undefined, `the gateway is still running:\n${gw.output().slice(-3000)}`);
    assert.equal(outcomes.answered + outcomes.failed, PEER_CONNECTIONS, `every offer got an answer or an error: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.answered > 0, 'PeerConnections were answered before descriptors ran out');
    console.error(`fd limit ${nofile}: ${JSON.stringify(outcomes)}`);
    // The API still answers on the open connection, even with every descriptor taken.
    assert.equal((await client.info()).janus, 'server_info');
    assert.equal((await client.keepalive()).janus, 'ack');
    // Ending the session releases its PeerConnections' sockets: new connections are accepted again.
    assert.equal((await client.destroy()).janus, 'success');
    const other = await connectJanus('http', gw.httpUrl);
    try {
      assert.equal((await other.info()).janus, 'server_info');
      assert.ok((await other.create()) > 0, 'a new session is created');
    } finally {
      await other.close();
    }
    assert.equal(gw.exit, undefined, 'still running at the end');
  } finally {
    await client.close();
    await gw.stop();
  }
}

// The case: every PeerConnection's ICE socket fits, werift's extra mDNS socket per PeerConnection did not.
test('mdns: under a 300-fd limit, 200 PeerConnections with trickled .local candidates leave the gateway serving', { timeout: 90_000 }, () => attempt(300));

// Fewer descriptors than PeerConnections: ICE sockets' binds fail with EMFILE, which werift left unhandled.
test('mdns: under a 200-fd limit, 200 PeerConnections whose ICE sockets cannot all bind leave the gateway serving', { timeout: 90_000 }, () => attempt(200));
