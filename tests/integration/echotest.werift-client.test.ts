// A werift RTCPeerConnection in the test process does the Echo Test through the Janus API, over
// WebSocket and over HTTP long poll: synthetic Opus-like and VP8-like RTP and a data-channel
// message go out, and come back echoed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient, type JanusMessage } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { gathered, SyntheticMedia } from '../support/syntheticMedia.ts';

const ECHOTEST = 'janus.plugin.echotest';

describe('echotest: a werift-based Node client', () => {
  let gw: TestGateway;

  before(async () => {
    // werift falls back to a public STUN server even with iceServers: [] (see weriftPatches.ts).
    applyWeriftPatches();
    gw = await startTestGateway();
  });

  after(async () => {
    await gw?.close();
  });

  for (const transport of ['ws', 'http'] as const) {
    it(`a werift-based Node client can do the Echo Test over ${transport === 'ws' ? 'WebSocket' : 'HTTP long poll'}`, async () => {
      const client: JanusClient = await connectJanus(transport, transport === 'ws' ? gw.wsUrl : gw.httpUrl);
      // No role tweaks needed: as the offerer werift is a full ICE agent in the controlling role,
      // which is what an ICE-lite answerer like Cardea requires (RFC 8445 §6.1.1).
      const pc = new RTCPeerConnection({
        iceServers: [],
        iceAdditionalHostAddresses: ['127.0.0.1'],
        iceUseIpv6: false,
        bundlePolicy: 'max-bundle',
      });
      let media: SyntheticMedia | undefined;
      try {
        await client.create();
        const handle = await client.attach(ECHOTEST, 'echotest-werift');

        const audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
        const video = pc.addTransceiver('video', { direction: 'sendrecv' });
        const channel: RTCDataChannel = pc.createDataChannel('JanusDataChannel');
        const received = { audio: 0, video: 0 };
        const lastPayload: { audio?: Buffer; video?: Buffer } = {};
        audio.onTrack.subscribe((track) =>
          track.onReceiveRtp.subscribe((rtp) => {
            received.audio++;
            lastPayload.audio = rtp.payload;
          }),
        );
        video.onTrack.subscribe((track) =>
          track.onReceiveRtp.subscribe((rtp) => {
            received.video++;
            lastPayload.video = rtp.payload;
          }),
        );
        const echoedText: string[] = [];
        channel.onMessage.subscribe((m) => echoedText.push(typeof m === 'string' ? m : m.toString('utf8')));

        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        const offer = pc.localDescription;
        assert.ok(offer, 'werift made an offer');

        const from = client.events.length;
        const ack = await client.message(handle, { audio: true, video: true }, { type: 'offer', sdp: offer.sdp });
        assert.equal(ack.janus, 'ack', 'an async request is acked');
        assert.equal(ack.session_id, client.sessionId);
        // The offer already holds every candidate; end-of-candidates is acked.
        assert.equal((await client.trickle(handle, { completed: true })).janus, 'ack');
        const answered = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 10_000, from);
        assert.deepEqual(answered.plugindata, { plugin: ECHOTEST, data: { echotest: 'event', result: 'ok' } });
        assert.equal(answered.sender, handle);
        assert.equal(answered.jsep?.type, 'answer', 'the answer travels at the top level of the event');
        await pc.setRemoteDescription({ type: 'answer', sdp: answered.jsep.sdp });

        await client.waitForEvent((m) => m.janus === 'webrtcup', 10_000, from);
        media = new SyntheticMedia(audio, video);
        await client.waitForEvent((m) => m.janus === 'media' && m.type === 'audio' && m.receiving === true, 10_000, from);
        await client.waitForEvent((m) => m.janus === 'media' && m.type === 'video' && m.receiving === true, 10_000, from);

        // Janus's recorded order: event + jsep, webrtcup, then media.
        const order = client.events
          .slice(from)
          .filter((m) => m.sender === handle)
          .map(describeEvent);
        const at = (name: string): number => order.indexOf(name);
        assert.ok(at('event ok+answer') >= 0 && at('event ok+answer') < at('webrtcup'), `event before webrtcup: ${order.join(', ')}`);
        assert.ok(at('webrtcup') < at('media audio true'), `webrtcup before media: ${order.join(', ')}`);

        // Echoed RTP keeps arriving on both receive tracks.
        const first = await waitFor(
          () => ({ ...received }),
          (r) => r.audio > 10 && r.video > 5,
          10_000,
          'echoed RTP',
        );
        await new Promise((resolve) => setTimeout(resolve, 600));
        const second = { ...received };
        assert.ok(second.audio > first.audio + 10, `audio packets grow: ${first.audio} -> ${second.audio}`);
        assert.ok(second.video > first.video + 5, `video packets grow: ${first.video} -> ${second.video}`);
        assert.deepEqual(lastPayload.audio, SyntheticMedia.audioPayload, 'the audio payload comes back unchanged');
        assert.equal(lastPayload.video?.length, SyntheticMedia.videoPayloadLength, 'the video payload comes back whole');

        // The data channel echoes text.
        await waitFor(
          () => channel.readyState,
          (s) => s === 'open',
          10_000,
          'data channel open',
        );
        channel.send(`hello over ${transport}`);
        await waitFor(
          () => echoedText,
          (texts) => texts.includes(`hello over ${transport}`),
          5000,
          'echoed text',
        );

        media.stop();
        await client.hangup(handle);
        await client.waitForEvent((m) => m.janus === 'hangup' && m.sender === handle, 5000, from);
        await client.waitForEvent((m) => m.janus === 'event' && m.plugindata?.data.result === 'done', 5000, from);
        assert.equal((await client.detach(handle)).janus, 'success');
        await client.waitForEvent((m) => m.janus === 'detached' && m.sender === handle, 5000, from);
        await client.destroy();
        await waitFor(
          () => gw.gateway.api.sessions.size,
          (n) => n === 0,
          5000,
          'session destroyed',
        );
      } finally {
        media?.stop();
        await pc.close();
        await client.close();
      }
    });
  }
});

/** A short name for an async message, for order checks. */
function describeEvent(m: JanusMessage): string {
  if (m.janus === 'event') return `event ${String(m.plugindata?.data.result)}${m.jsep ? `+${m.jsep.type}` : ''}`;
  if (m.janus === 'media') return `media ${String(m.type)} ${String(m.receiving)}`;
  return m.janus;
}
