// VideoRoom `rtp_forward` on the fast plane, where each forwarder is a send-only RTP endpoint with
// its own socket: a forward asked for before the publisher's PeerConnection is up (Janus allows it)
// starts sending once media flows, with the requested SSRC and payload type; stopping a forwarder,
// and the publisher's handle going away, close its socket (its source port can be bound again).
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusMessage } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { gathered, SyntheticMedia } from '../support/syntheticMedia.ts';

interface Listener {
  socket: Socket;
  port: number;
  packets: Buffer[];
  from: RemoteInfo | undefined;
}

async function listener(): Promise<Listener> {
  const socket = createSocket('udp4');
  const l: Listener = { socket, port: 0, packets: [], from: undefined };
  socket.on('message', (m, rinfo) => {
    l.packets.push(m);
    l.from = rinfo;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  l.port = socket.address().port;
  return l;
}

/** True when a UDP socket can bind `port` on every address (the forwarder's socket is closed). */
function bindable(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, () => s.close(() => resolve(true)));
  });
}

const data = (m: JanusMessage): Record<string, unknown> => ((m.plugindata as { data?: Record<string, unknown> } | undefined)?.data ?? {});

describe('videoroom: rtp_forward on the fast plane', () => {
  let gw: TestGateway;
  const sockets: Socket[] = [];

  before(async () => {
    applyWeriftPatches();
    gw = await startTestGateway({ media: { plane: 'fast' } });
  });

  after(async () => {
    for (const s of sockets) s.close();
    await gw?.close();
  });

  it('forwards streams asked for before the PeerConnection is up; stop and detach close the forwarders\' sockets', async () => {
    const client = await connectJanus('ws', gw.wsUrl);
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
    let media: SyntheticMedia | undefined;
    const video = await listener();
    const audio = await listener();
    sockets.push(video.socket, audio.socket);
    try {
      await client.create();
      const handle = await client.attach('janus.plugin.videoroom', 'rtpfwd');
      const room = 7301;
      assert.equal(data(await client.message(handle, { request: 'create', room })).videoroom, 'created');
      const join = await client.message(handle, { request: 'join', ptype: 'publisher', room, display: 'p' });
      const joined = await client.waitForEvent((m) => m.transaction === join.transaction && data(m).videoroom === 'joined', 10_000);
      const publisherId = data(joined).id as number;
      const a = pc.addTransceiver('audio', { direction: 'sendonly' });
      const v = pc.addTransceiver('video', { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const ack = await client.message(handle, { request: 'configure', audio: true, video: true }, { type: 'offer', sdp: pc.localDescription?.sdp ?? '' });
      const answered = await client.waitForEvent((m) => m.transaction === ack.transaction && m.jsep !== undefined, 10_000);
      // The answer is not applied yet: the gateway's PeerConnection cannot be up.
      const fwd = await client.message(handle, {
        request: 'rtp_forward',
        room,
        publisher_id: publisherId,
        host: '127.0.0.1',
        streams: [
          { mid: v.mid, port: video.port, ssrc: 0xabc0de, pt: 100 },
          { mid: a.mid, port: audio.port },
        ],
      });
      assert.equal(fwd.janus, 'success', JSON.stringify(fwd));
      const forwarders = data(fwd).forwarders as Array<{ stream_id: number; type: string }>;
      assert.deepEqual(forwarders.map((f) => f.type), ['video', 'audio']);
      await pc.setRemoteDescription({ type: 'answer', sdp: answered.jsep?.sdp ?? '' });
      await client.waitForEvent((m) => m.janus === 'webrtcup', 10_000);
      media = new SyntheticMedia(a, v);
      await waitFor(() => video.packets.length + audio.packets.length, () => video.packets.length > 10 && audio.packets.length > 10, 10_000, 'forwarded RTP');
      for (const p of video.packets) {
        assert.equal((p[1] as number) & 0x7f, 100, 'video: the requested payload type');
        assert.equal(p.readUInt32BE(8), 0xabc0de, 'video: the requested SSRC');
      }
      assert.equal(new Set(audio.packets.map((p) => p.readUInt32BE(8))).size, 1, 'audio: one SSRC (the source\'s)');
      const listed = data(await client.message(handle, { request: 'listforwarders', room })).publishers as Array<{ forwarders: unknown[] }>;
      assert.equal(listed[0]?.forwarders.length, 2);

      const videoFrom = video.from?.port ?? 0;
      const audioFrom = audio.from?.port ?? 0;
      assert.ok(videoFrom > 0 && audioFrom > 0 && videoFrom !== audioFrom, 'each forwarder sends from its own socket');
      assert.equal(await bindable(videoFrom), false, 'a live forwarder holds its port');
      const stop = await client.message(handle, { request: 'stop_rtp_forward', room, publisher_id: publisherId, stream_id: forwarders[0]?.stream_id });
      assert.equal(data(stop).videoroom, 'stop_rtp_forward');
      await waitFor(() => bindable(videoFrom), (ok) => ok, 5000, 'the stopped forwarder\'s port free again');
      assert.equal(await bindable(audioFrom), false, 'the other forwarder still holds its port');
      await client.detach(handle);
      await waitFor(() => bindable(audioFrom), (ok) => ok, 5000, 'the detached publisher\'s forwarder port free again');
    } finally {
      media?.stop();
      await pc.close();
      await client.close();
    }
  });
});
