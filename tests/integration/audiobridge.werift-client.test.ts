// The AudioBridge through the gateway's real media path: werift PeerConnections in the test process
// join a room over the Janus API and send Opus over SRTP. One sends a tone; one sends malformed
// Opus, then empty RTP payloads. Each decodes what it receives: the N−1 mix holds the others' tones
// and not its own, and the broken sender is concealed without disturbing anyone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { blockTone, concat, decodeAll, ToneSender, type SentFrame } from '../support/audioFixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const PLUGIN = 'janus.plugin.audiobridge';
const ROOM = 7070;

/** A werift participant: joins, negotiates audio sendrecv, records what it receives. */
class Participant {
  readonly pc = new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
  });
  readonly received: SentFrame[] = [];
  readonly client: JanusClient;
  audio!: RTCRtpTransceiver;
  handle = 0;
  id = 0;
  #seq = 100;
  #ts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: JanusClient) {
    this.client = client;
  }

  async join(display: string): Promise<void> {
    await this.client.create();
    this.handle = await this.client.attach(PLUGIN);
    const from = this.client.events.length;
    await this.client.message(this.handle, { request: 'join', room: ROOM, display });
    const joined = await this.client.waitForEvent(
      (m) => m.plugindata?.data.audiobridge === 'joined' && m.plugindata.data.id !== undefined,
      5000,
      from,
    );
    this.id = joined.plugindata?.data.id as number;
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.audio.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => this.received.push({ payload: Uint8Array.from(rtp.payload), timestamp: rtp.header.timestamp })),
    );
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitFor(
      () => this.pc.iceGatheringState,
      (s) => s === 'complete',
      5000,
      'gathering',
    );
    const at = this.client.events.length;
    await this.client.message(
      this.handle,
      { request: 'configure', muted: false },
      { type: 'offer', sdp: this.pc.localDescription?.sdp ?? '' },
    );
    const answer = await this.client.waitForEvent((m) => m.plugindata?.data.result === 'ok' && m.jsep !== undefined, 10_000, at);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.jsep?.sdp ?? '' });
    await this.client.waitForEvent((m) => m.janus === 'webrtcup', 10_000, at);
  }

  /** Sends `next()`'s payload every 20 ms. */
  send(next: () => Uint8Array): void {
    this.#timer = setInterval(() => {
      const header = new RtpHeader({ payloadType: 111, sequenceNumber: this.#seq, timestamp: this.#ts, ssrc: 0x4242 });
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#ts = (this.#ts + 960) >>> 0;
      void this.audio.sender.sendRtp(new RtpPacket(header, Buffer.from(next()))).catch(() => undefined);
    }, 20);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async close(): Promise<void> {
    this.stop();
    await this.pc.close();
    await this.client.close();
  }
}

// Both media planes, with the mixers in the mixer worker (the default) and in the main thread.
const setups = [
  { plane: 'fast', thread: 'worker' },
  { plane: 'fast', thread: 'main' },
  { plane: 'werift', thread: 'worker' },
  { plane: 'werift', thread: 'main' },
] as const;

for (const { plane, thread } of setups) {
  describe(`audiobridge: werift clients through the gateway (${plane} media plane, mixer in ${thread} thread)`, () => {
    let gw: TestGateway;
    const people: Participant[] = [];

    before(async () => {
      applyWeriftPatches();
      gw = await startTestGateway({ media: { plane, audioMixerThread: thread } });
    });

    after(async () => {
      for (const p of people) await p.close();
      await gw?.close();
    });

    it(`N−1 over SRTP (${plane} plane, ${thread} thread): each hears the other tones and not its own; malformed and empty packets are concealed`, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const created = await ctl.message(control, { request: 'create', room: ROOM, sampling_rate: 16000, default_prebuffering: 2 });
      assert.equal(created.plugindata?.data.audiobridge, 'created');

      const tones = [await ToneSender.create(500), await ToneSender.create(1300)];
      for (const name of ['alice', 'bob', 'carol']) {
        const p = new Participant(await connectJanus('ws', gw.wsUrl));
        people.push(p);
        await p.join(name);
      }
      const [alice, bob, carol] = people as [Participant, Participant, Participant];
      alice.send(() => (tones[0] as ToneSender).next().payload);
      bob.send(() => (tones[1] as ToneSender).next().payload);
      // carol is broken: 1.5 s of garbage that libopus rejects, then empty payloads.
      let n = 0;
      carol.send(() => (n++ < 75 ? new Uint8Array([0xff, 0xff, 0xff, 0xfe, 0x01, 0x02]) : new Uint8Array(0)));

      await waitFor(
        () => Math.min(alice.received.length, bob.received.length, carol.received.length),
        (m) => m >= 150,
        15_000,
        'three seconds of mix each',
      );
      for (const p of people) p.stop();
      const heard = async (p: Participant): Promise<number[]> => {
        const pcm = concat((await decodeAll(p.received, 16000)).slice(20));
        return tones.map((t) => blockTone(pcm, t.hz, 16000).power);
      };
      const [aHeard, bHeard, cHeard] = [await heard(alice), await heard(bob), await heard(carol)];
      assert.ok(
        (aHeard[1] as number) > 0.2 && (aHeard[0] as number) < 0.02,
        `alice hears bob, not herself: ${aHeard.map((v) => v.toFixed(3)).join(' ')}`,
      );
      assert.ok(
        (bHeard[0] as number) > 0.2 && (bHeard[1] as number) < 0.02,
        `bob hears alice, not himself: ${bHeard.map((v) => v.toFixed(3)).join(' ')}`,
      );
      // Two tones share carol's mix; on a loaded machine the werift plane delivers late and the mixer
      // conceals some frames of either stream, so each tone's share is checked against the floor of
      // an absent tone (< 0.02 above), not against an ideal half of the energy.
      assert.ok(
        (cHeard[0] as number) > 0.06 && (cHeard[1] as number) > 0.06,
        `carol hears both: ${cHeard.map((v) => v.toFixed(3)).join(' ')}`,
      );

      const stats = await ctl.message(control, { request: 'mixerstats', room: ROOM });
      const s = stats.plugindata?.data.stats as {
        decodeErrors: number;
        participants: number;
        lateFrames: number;
        handoff?: { frames: number };
      };
      assert.equal(s.participants, 3);
      // In the worker, every frame heard above crossed the output ring and was counted on its hand-off.
      if (thread === 'worker') assert.ok((s.handoff?.frames ?? 0) >= 450, `frames handed off from the worker (${s.handoff?.frames})`);
      else assert.equal(s.handoff, undefined);
      assert.ok(s.decodeErrors > 10, `carol's malformed packets were contained as decode errors (${s.decodeErrors})`);
      const listing = await ctl.message(control, { request: 'listparticipants', room: ROOM });
      assert.equal((listing.plugindata?.data.participants as unknown[]).length, 3, 'the room is intact');
      for (const t of tones) t.free();
      await ctl.close();
    });
  });
}
