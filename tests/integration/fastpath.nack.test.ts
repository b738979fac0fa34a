// Cardea's fast path answers NACKs itself: a werift client that loses some of the echoed video
// asks for it again (RFC 4585 generic NACK), and the gateway resends from its per-stream buffer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { FastMediaPlane } from '../../core/src/media/fast/FastMediaPlane.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { gathered, SyntheticMedia } from '../support/syntheticMedia.ts';

describe('fast path: NACK and retransmission', () => {
  let gw: TestGateway;

  before(async () => {
    applyWeriftPatches();
    gw = await startTestGateway({ media: { plane: 'fast' } });
  });

  after(async () => {
    await gw?.close();
  });

  it("retransmits lost video from the gateway's buffer when the subscriber NACKs", async () => {
    const plane = gw.gateway.media;
    assert.ok(plane instanceof FastMediaPlane);
    const client = await connectJanus('ws', gw.wsUrl);
    // werift drops an inbound packet when `inboundPacketLoss / 100 < Math.random()`: 90 loses ~10%.
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle', debug: { inboundPacketLoss: 90 } });
    let media: SyntheticMedia | undefined;
    try {
      await client.create();
      const handle = await client.attach('janus.plugin.echotest', 'nack');
      const audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
      const video = pc.addTransceiver('video', { direction: 'sendrecv' });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const ack = await client.message(handle, { audio: true, video: true }, { type: 'offer', sdp: pc.localDescription?.sdp ?? '' });
      const answered = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 10_000);
      await pc.setRemoteDescription({ type: 'answer', sdp: answered.jsep?.sdp ?? '' });
      await client.waitForEvent((m) => m.janus === 'webrtcup', 10_000);
      media = new SyntheticMedia(audio, video);
      await waitFor(() => ({ ...plane.nack }), (n) => n.retransmitted > 5, 15_000, 'retransmissions answering the client NACKs');
      assert.ok(plane.nack.requested >= plane.nack.retransmitted);
    } finally {
      media?.stop();
      await pc.close();
      await client.close();
    }
  });
});
