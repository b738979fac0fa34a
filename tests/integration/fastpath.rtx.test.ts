// RTX toward a subscriber that negotiated it (RFC 4588): a werift client losing ~10% of the echoed
// video NACKs it, Cardea's fast path answers from its buffer with RTX packets on the RTX SSRC it
// announced, and the client unwraps them (OSN → original sequence number) into the video stream;
// heavy loss on a leg raises a Janus `slowlink` event.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, RTCRtpCodecParameters, useNACK, usePLI } from 'werift';
import { FastMediaPlane } from '../../core/src/media/fast/FastMediaPlane.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { gathered, SyntheticMedia } from '../support/syntheticMedia.ts';

describe('fast path: RTX retransmission', () => {
  let gw: TestGateway;

  before(async () => {
    applyWeriftPatches();
    gw = await startTestGateway({ media: { plane: 'fast' } });
  });

  after(async () => {
    await gw?.close();
  });

  /** An echotest PeerConnection from a werift client losing `lossPercent` of what it receives, sending synthetic media. */
  async function lossyEcho(lossPercent: number) {
    const client = await connectJanus('ws', gw.wsUrl);
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })],
        video: [
          new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: [useNACK(), usePLI()] }),
          new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: 97, parameters: 'apt=96' }),
        ],
      },
      // werift drops an inbound packet when `inboundPacketLoss / 100 < Math.random()`.
      debug: { inboundPacketLoss: 100 - lossPercent },
    });
    await client.create();
    const handle = await client.attach('janus.plugin.echotest', 'rtx');
    const audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
    const video = pc.addTransceiver('video', { direction: 'sendrecv' });
    const seqs = new Set<number>();
    video.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => seqs.add(rtp.header.sequenceNumber)));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const ack = await client.message(handle, { audio: true, video: true }, { type: 'offer', sdp: pc.localDescription?.sdp ?? '' });
    const answered = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 10_000);
    const sdp = answered.jsep?.sdp ?? '';
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await client.waitForEvent((m) => m.janus === 'webrtcup', 10_000);
    const media = new SyntheticMedia(audio, video);
    return {
      client,
      handle,
      pc,
      video,
      sdp,
      seqs,
      close: async () => {
        media.stop();
        await pc.close();
        await client.close();
      },
    };
  }

  it('answers a subscriber that negotiated RTX with RTX packets it unwraps', async () => {
    const plane = gw.gateway.media;
    assert.ok(plane instanceof FastMediaPlane);
    const echo = await lossyEcho(10);
    try {
      assert.match(echo.sdp, /a=rtpmap:97 rtx\/90000/, 'the answer keeps RTX');
      const fid = /a=ssrc-group:FID (\d+) (\d+)/.exec(echo.sdp);
      assert.ok(fid, 'the answer announces the RTX SSRC');
      const rtxSsrc = Number(fid[2]);
      await waitFor(() => ({ ...plane.rtx }), (r) => r.sent > 10, 20_000, 'RTX retransmissions answering the client NACKs');
      // What the client got on the RTX SSRC was unwrapped into the video stream: few holes remain.
      const remote = (echo.video.receiver as unknown as { remoteStreams: Record<number, unknown> }).remoteStreams;
      assert.ok(remote[rtxSsrc] !== undefined, 'packets arrived on the RTX SSRC');
      const sorted = [...echo.seqs].sort((a, b) => a - b);
      const first = sorted[0] as number;
      const last = (sorted.at(-1) as number) - 10; // the newest ones may still be in repair
      const window = sorted.filter((s) => s <= last);
      const missing = last - first + 1 - window.length;
      assert.ok(window.length > 50, `enough video received (${window.length})`);
      assert.ok(missing / (last - first + 1) < 0.04, `RTX repaired the ~10% loss (${missing} of ${last - first + 1} still missing)`);
    } finally {
      await echo.close();
    }
  });

  it('sends a slowlink event (uplink: true) when a client NACKs many packets', async () => {
    // 40% of 25 video packets a second: ~10 NACKed a second, over the default threshold of 4.
    const echo = await lossyEcho(40);
    try {
      const slow = await echo.client.waitForEvent((m) => m.janus === 'slowlink' && m.sender === echo.handle, 15_000);
      const body = slow as unknown as { media: string; uplink: boolean; lost: number; mid: string };
      assert.equal(body.media, 'video');
      assert.equal(body.uplink, true);
      assert.ok(body.lost >= 4, `lost ${body.lost}`);
      assert.equal(typeof body.mid, 'string');
    } finally {
      await echo.close();
    }
  });
});
