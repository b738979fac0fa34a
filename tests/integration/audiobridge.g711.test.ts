// G.711 participants in the AudioBridge through the gateway's real media path: a werift client joins
// with `codec: "pcmu"` (Janus AudioBridge `join`) and offers only PCMU/8000; another joins with
// Opus. Each sends a tone; each decodes what it receives and hears the other's tone, not its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { g711Decode, g711Encode } from '../../core/src/media/audio/G711.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { blockTone, concat, decodeAll, toneFrame, ToneSender } from '../support/audioFixtures.ts';
import { AudioPeer } from '../support/audioPeer.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const PLUGIN = 'janus.plugin.audiobridge';
const ROOM = 7111;
const RATE = 16000;

for (const plane of ['fast', 'werift'] as const) {
  describe(`audiobridge: a PCMU participant through the gateway (${plane} media plane)`, () => {
    let gw: TestGateway;
    const clients: JanusClient[] = [];
    const peers: AudioPeer[] = [];

    before(async () => {
      applyWeriftPatches();
      gw = await startTestGateway({ media: { plane } });
    });

    after(async () => {
      for (const p of peers) await p.close();
      for (const c of clients) await c.close();
      await gw?.close();
    });

    it(`negotiates PCMU/8000 and mixes it with Opus both ways (${plane} plane)`, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      clients.push(ctl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const created = await ctl.message(control, { request: 'create', room: ROOM, sampling_rate: RATE, default_prebuffering: 2 });
      assert.equal(created.plugindata?.data.audiobridge, 'created');

      const join = async (codec: 'opus' | 'pcmu'): Promise<{ peer: AudioPeer; sdp: string }> => {
        const client = await connectJanus('ws', gw.wsUrl);
        clients.push(client);
        await client.create();
        const handle = await client.attach(PLUGIN);
        const peer = new AudioPeer(codec);
        peers.push(peer);
        const body: Record<string, unknown> = { request: 'join', room: ROOM, display: codec, muted: false };
        if (codec !== 'opus') body.codec = codec;
        const joined = await peer.connect(client, handle, body);
        assert.equal(joined.plugindata?.data.audiobridge, 'joined');
        return { peer, sdp: joined.jsep?.sdp ?? '' };
      };
      const phone = await join('pcmu');
      assert.match(phone.sdp, /m=audio \d+ [A-Z/]+ 0\r\n/, 'the answer carries PCMU only (payload type 0)');
      assert.match(phone.sdp, /a=rtpmap:0 PCMU\/8000/);
      const browser = await join('opus');
      assert.match(browser.sdp, /a=rtpmap:\d+ opus\/48000/);

      const tone = await ToneSender.create(440);
      let n = 0;
      phone.peer.send(() => {
        const out = new Uint8Array(160);
        g711Encode('pcmu', toneFrame(1100, 8000, n++), out, 160);
        return out;
      });
      browser.peer.send(() => tone.next().payload);
      await waitFor(
        () => Math.min(phone.peer.received.length, browser.peer.received.length),
        (m) => m >= 100,
        15_000,
        'two seconds of mix each',
      );
      phone.peer.stop();
      browser.peer.stop();
      tone.free();

      const got = phone.peer.received.slice(25);
      assert.ok(
        got.every((r) => r.payloadType === 0 && r.payload.length === 160),
        'the phone receives PCMU, 160 bytes per packet',
      );
      const steps = got.slice(1).map((r, i) => (r.timestamp - (got[i] as { timestamp: number }).timestamp) >>> 0);
      assert.ok(
        steps.filter((s) => s === 160).length >= steps.length * 0.9,
        `RTP timestamps advance 160 per packet (8 kHz): ${steps.slice(0, 8).join(',')}`,
      );
      const pcm = new Int16Array(160 * got.length);
      got.forEach((r, i) => g711Decode('pcmu', r.payload, pcm.subarray(i * 160), 160));
      const phoneHeard = blockTone(pcm, 440, 8000);
      assert.ok(phoneHeard.sounding > 0.5 && phoneHeard.power > 0.3, `the phone hears the browser (${JSON.stringify(phoneHeard)})`);
      assert.ok(blockTone(pcm, 1100, 8000).power < 0.02, `and not itself (${blockTone(pcm, 1100, 8000).power.toFixed(3)})`);

      const heard = concat(await decodeAll(browser.peer.received.slice(25), RATE));
      const browserHeard = blockTone(heard, 1100, RATE);
      assert.ok(browserHeard.sounding > 0.5 && browserHeard.power > 0.3, `the browser hears the phone (${JSON.stringify(browserHeard)})`);
      assert.ok(blockTone(heard, 440, RATE).power < 0.02, `and not itself (${blockTone(heard, 440, RATE).power.toFixed(3)})`);

      const stats = await ctl.message(control, { request: 'mixerstats', room: ROOM });
      const s = stats.plugindata?.data.stats as { decodeErrors: number; participants: number };
      assert.equal(s.participants, 2);
      assert.equal(s.decodeErrors, 0);
    });
  });
}
